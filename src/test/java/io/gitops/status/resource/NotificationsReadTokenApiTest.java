package io.gitops.status.resource;

import static io.gitops.status.resource.TokensApiTest.REALM;
import static io.gitops.status.resource.TokensApiTest.bearer;
import static io.gitops.status.resource.TokensApiTest.sha256;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gitops.status.config.AppConfig;
import jakarta.ws.rs.client.Invocation;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code GET /notifications} and its metrics are reads like the others: once a token has the read scope, they need one. */
class NotificationsReadTokenApiTest extends ApiTestSupport {

    static final String READER = "notify-reader-secret-31";
    static final String WRITER = "notify-writer-secret-62";

    @Override
    protected AppConfig config(AppConfig defaults) {
        try {
            Path tokens = Files.write(storeDir.resolve("tokens"), List.of(
                    "grafana " + sha256(READER) + " read",
                    "ci      " + sha256(WRITER) + " write:*"));
            Path rules = Files.writeString(storeDir.resolve("notify.yaml"), """
                    receivers:
                      - name: ops
                        webhook: {url: "http://127.0.0.1:9/hook"}
                    rules: []
                    """);
            return defaults.withTokenFile(tokens).withNotifyFile(rules);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Answer get(String path, String authorization) {
        Invocation.Builder request = target(path).request();
        if (authorization != null) {
            request = request.header("Authorization", authorization);
        }
        try (Response response = request.get()) {
            Answer a = answer(response);
            if (a.status() == 401) {
                assertEquals(REALM, response.getHeaderString("WWW-Authenticate"));
            }
            return a;
        }
    }

    @Test
    void readingTheNotificationsNeedsATokenWithTheReadScope() {
        for (String path : List.of("notifications", "metrics")) {
            assertError(get(path, null), 401, "unauthorized", null);
            assertError(get(path, bearer("not-a-token")), 401, "unauthorized", null);
            assertError(get(path, bearer(WRITER)), 403, "forbidden", null);
            assertEquals(200, get(path, bearer(READER)).status(), path);
        }
        Answer a = get("notifications", bearer(READER));
        assertTrue(a.json().get("enabled").booleanValue(), a.body());
        assertEquals("ops", a.json().get("receivers").get(0).get("name").textValue());
    }
}
