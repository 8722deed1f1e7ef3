package io.gitops.status.resource;

import static io.gitops.status.resource.TokensApiTest.REALM;
import static io.gitops.status.resource.TokensApiTest.bearer;
import static io.gitops.status.resource.TokensApiTest.sha256;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.gitops.status.config.AppConfig;
import jakarta.ws.rs.client.Entity;
import jakarta.ws.rs.client.Invocation;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Badges under the read rules of the tokens: with a {@code read} token in the file, a badge needs
 * a token with {@code read} or {@code badge}; only a {@code badge}-only token may come in the URL
 * ({@code ?token=}), and only on a badge path.
 */
class BadgeTokensTest extends ApiTestSupport {

    static final String READER = "grafana-reads-everything-31";
    static final String BADGE = "readme-badges-only-92";
    static final String WRITER = "ci-writes-prod-47";
    static final String MIXED = "badge-and-write-15";
    static final List<String> BADGES = List.of("badge.svg", "badge.json", "badge/prod.svg", "badge/prod.json",
            "badge/prod/h1.svg", "badge/prod/h1.json");

    @Override
    protected AppConfig config(AppConfig defaults) {
        try {
            return defaults.withTokenFile(Files.write(storeDir.resolve("tokens"), List.of(
                    "grafana " + sha256(READER) + " read",
                    "readme  " + sha256(BADGE) + " badge",
                    "ci      " + sha256(WRITER) + " write:prod",
                    "mixed   " + sha256(MIXED) + " badge write:lab"), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Answer fetch(String path, String authorization, String queryToken) {
        var target = target(path);
        if (queryToken != null) {
            target = target.queryParam("token", queryToken);
        }
        Invocation.Builder request = target.request();
        if (authorization != null) {
            request = request.header("Authorization", authorization);
        }
        try (Response response = request.get()) {
            if (response.getStatus() == 401) {
                assertEquals(REALM, response.getHeaderString("WWW-Authenticate"), path);
            }
            return answer(response);
        }
    }

    private void seed() {
        Response response = target("status/pipeline").request().header("Authorization", bearer(WRITER))
                .post(Entity.entity("{\"server_group\":\"prod\",\"host\":\"h1\",\"status\":\"failed\"}",
                        MediaType.APPLICATION_JSON));
        assertEquals(200, answer(response).status());
    }

    @Test
    void aBadgeNeedsATokenThatMayReadIt() {
        seed();
        for (String path : BADGES) {
            for (String[] refused : new String[][] {{null, null}, {"Bearer wrong", null}, {null, "wrong"},
                    {null, ""}, {READER, null}}) {
                Answer a = fetch(path, refused[0], refused[1]);
                assertError(a, 401, "unauthorized", null);
                assertFalse(a.body().contains("failed"), "a refused badge shows the status: " + a.body());
            }
            assertError(fetch(path, bearer(WRITER), null), 403, "forbidden", null);
            assertEquals(200, fetch(path, bearer(READER), null).status(), path);
            assertEquals(200, fetch(path, bearer(BADGE), null).status(), path);
            assertEquals(200, fetch(path, bearer(MIXED), null).status(), path);
            assertEquals(200, fetch(path, null, BADGE).status(), path);
        }
        BadgeSvg.parse(fetch("badge/prod/h1.svg", null, BADGE).body())
                .assertShows("prod/h1", "failed", BadgeTest.RED);
    }

    @Test
    void onlyABadgeOnlyTokenMayComeInTheUrl() {
        seed();
        // A token that may read or write more would leak all of that with the URL.
        for (String token : List.of(READER, WRITER, MIXED)) {
            Answer a = fetch("badge/prod.svg", null, token);
            assertError(a, 403, "forbidden", null);
            assertFalse(a.body().contains(token), a.body());
        }
        // The header wins over the URL.
        assertEquals(200, fetch("badge/prod.svg", bearer(READER), WRITER).status());
    }

    @Test
    void aBadgeTokenReadsNothingElse() {
        seed();
        for (String path : List.of("", "status", "status/prod", "status/prod/h1", "status/summary", "metrics",
                "events", "status.json")) {
            assertError(fetch(path, bearer(BADGE), null), 403, "forbidden", null);
            // A token in the URL counts on badge paths alone.
            assertError(fetch(path, null, BADGE), 401, "unauthorized", null);
            assertError(fetch(path, null, READER), 401, "unauthorized", null);
        }
        Answer write = answer(target("status/pipeline").request().header("Authorization", bearer(BADGE))
                .post(Entity.entity("{\"server_group\":\"prod\",\"host\":\"h2\",\"status\":\"synced\"}",
                        MediaType.APPLICATION_JSON)));
        assertError(write, 403, "forbidden", null);
        // Probes stay open; an unknown host is still a grey badge for those who may read.
        assertEquals(200, fetch("health", null, null).status());
        assertEquals(404, fetch("badge/prod/nope.svg", null, BADGE).status());
    }
}
