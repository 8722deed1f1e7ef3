package io.gitops.status.resource;

import static io.gitops.status.resource.TokensApiTest.bearer;
import static io.gitops.status.resource.TokensApiTest.sha256;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gitops.status.config.AppConfig;
import jakarta.ws.rs.client.Entity;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * With read tokens on, the status page still loads without a token (it then asks for one), and
 * that opening is exactly the page: its data, and {@code GET /} to a client that prefers JSON,
 * still need the token.
 */
class StatusPageReadTokensTest extends ApiTestSupport {

    static final String READER = "status-page-reader-secret-19";

    @Override
    protected AppConfig config(AppConfig defaults) {
        Path tokenFile = storeDir.resolve("tokens");
        try {
            Files.writeString(tokenFile, "reader " + sha256(READER) + " read\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return defaults.withTokenFile(tokenFile);
    }

    @Test
    void thePageLoadsWithoutATokenAndItsDataDoesNot() {
        assertEquals(200, status("", StatusPageTest.BROWSER_ACCEPT, null));
        for (String file : List.of("app.js", "api.js", "style.css", "index.html")) {
            assertEquals(200, status("ui/" + file, null, null), file);
        }
        assertEquals(401, status("", null, null), "the service description to curl");
        assertEquals(401, status("", "application/json", null));
        assertEquals(401, status("", "text/html;q=0.5, application/json", null));
        assertEquals(401, status("status", StatusPageTest.BROWSER_ACCEPT, null));
        assertEquals(401, status("status/summary", StatusPageTest.BROWSER_ACCEPT, null));
        assertEquals(200, status("status/summary", null, bearer(READER)));
        assertEquals(404, status("ui/nothing.js", null, null), "a missing file is a 404, not a 401");
        assertEquals(401, status("uix/app.js", null, null));

        Response write = target("ui/app.js").request().post(Entity.json("{}"));
        assertEquals(401, write.getStatus(), "writes are never opened");
        write.close();
    }

    private int status(String path, String accept, String authorization) {
        var request = target(path).request();
        if (accept != null) {
            request.header(HttpHeaders.ACCEPT, accept);
        }
        if (authorization != null) {
            request.header(HttpHeaders.AUTHORIZATION, authorization);
        }
        try (Response response = request.get()) {
            assertTrue(response.getStatus() > 0);
            return response.getStatus();
        }
    }
}
