package io.gitops.status.resource;

import static io.gitops.status.resource.TokensApiTest.REALM;
import static io.gitops.status.resource.TokensApiTest.bearer;
import static io.gitops.status.resource.TokensApiTest.sha256;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.gitops.status.config.AppConfig;
import jakarta.ws.rs.client.Entity;
import jakarta.ws.rs.client.Invocation;
import jakarta.ws.rs.client.WebTarget;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The {@code read} scope (issue 5, item 1): once some token has it, every read except
 * {@code /health}, {@code /ready} and {@code /openapi.json} needs a token with {@code read}: 401
 * without a valid token, 403 with a token that may only write.
 */
class TokenReadScopeApiTest extends ApiTestSupport {

    static final String GRAFANA = "grafana-infinity-secret-51";
    static final String CI = "ci-write-only-secret-77";
    static final String BOTH = "ops-read-write-secret-08";

    /** Every read: the paths of GET requests, with a query where it matters. */
    static final List<String> READS = List.of("", "status", "status?environment=prod&status=synced", "status?_=1",
            "status/files", "status/summary", "status/prod-web", "status/prod-web/h1", "status/prod-web/h1/history",
            "status/nope", "status/nope/none", "events", "events?since=2020-01-01T00:00:00Z", "metrics",
            "api/status", "status.json");

    Path tokenFile;
    String lastChallenge;

    @Override
    protected AppConfig config(AppConfig defaults) {
        tokenFile = storeDir.resolve("tokens");
        writeTokens(List.of(
                "# Grafana reads, pipelines write",
                "grafana " + sha256(GRAFANA) + " read",
                "ci      " + sha256(CI) + " write:*",
                "ops     " + sha256(BOTH) + " write:prod-* read"));
        return defaults.withTokenFile(tokenFile);
    }

    void writeTokens(List<String> lines) {
        try {
            Files.write(tokenFile, lines, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Answer call(String authorization, String method, String pathAndQuery, String json) {
        return call(authorization, method, pathAndQuery, json, null);
    }

    Answer call(String authorization, String method, String pathAndQuery, String json, String ifNoneMatch) {
        String[] parts = pathAndQuery.split("\\?", 2);
        WebTarget target = target(parts[0]);
        if (parts.length > 1) {
            for (String pair : parts[1].split("&")) {
                String[] nameValue = pair.split("=", 2);
                target = target.queryParam(nameValue[0], nameValue[1]);
            }
        }
        Invocation.Builder request = target.request();
        if (authorization != null) {
            request = request.header("Authorization", authorization);
        }
        if (ifNoneMatch != null) {
            request = request.header("If-None-Match", ifNoneMatch);
        }
        Response response = json == null ? request.method(method)
                : request.method(method, Entity.entity(json, MediaType.APPLICATION_JSON));
        lastChallenge = response.getHeaderString("WWW-Authenticate");
        if (method.equals("HEAD")) {
            try (response) {
                return new Answer(response.getStatus(), "", null, null, response.getHeaderString("Content-Type"), null);
            }
        }
        return answer(response);
    }

    void seed() {
        Answer a = call(bearer(CI), "POST", "status/pipeline", "{\"server_group\":\"prod-web\",\"host\":\"h1\","
                + "\"status\":\"synced\",\"environment\":\"prod\"}");
        assertEquals(200, a.status(), a.body());
        a = call(bearer(CI), "POST", "status/cron", "{\"server_group\":\"prod-web\",\"host\":\"h1\",\"status\":\"failed\","
                + "\"changed_files\":[\"/etc/a\"]}");
        assertEquals(200, a.status(), a.body());
    }

    @Test
    void everyReadWithoutAValidTokenIs401() {
        seed();
        for (String path : READS) {
            for (String authorization : new String[] {null, "", "Bearer", "Bearer wrong", GRAFANA, "Basic " + GRAFANA,
                    bearer(sha256(GRAFANA)), bearer(GRAFANA + "0")}) {
                Answer a = call(authorization, "GET", path, null);
                assertError(a, 401, "unauthorized", null);
                assertEquals(REALM, lastChallenge, "GET /" + path);
                assertFalse(a.body().contains("prod-web"), "a refused read shows data: " + a.body());
            }
        }
        Answer head = call(null, "HEAD", "status", null);
        assertEquals(401, head.status());
    }

    @Test
    void aWriteOnlyTokenMayNotRead() {
        seed();
        for (String path : READS) {
            Answer a = call(bearer(CI), "GET", path, null);
            assertError(a, 403, "forbidden", null);
            assertFalse(a.body().contains("prod-web"), "a refused read shows data: " + a.body());
        }
    }

    @Test
    void aTokenWithTheReadScopeReadsEverything() {
        seed();
        for (String token : List.of(GRAFANA, BOTH)) {
            for (String path : READS) {
                Answer a = call(bearer(token), "GET", path, null);
                int expected = path.equals("status/nope/none") ? 404 : 200;
                assertEquals(expected, a.status(), "GET /" + path + " as " + token + ": " + a.body());
            }
        }
        Answer row = call(bearer(GRAFANA), "GET", "status/prod-web/h1", null);
        assertRowShape(row.json());
        assertEquals("ci", text(row.json(), "written_by_token"));
    }

    @Test
    void probesStayOpen() {
        for (String path : List.of("health", "ready", "health/", "ready/")) {
            for (String authorization : new String[] {null, "Bearer wrong", bearer(CI), bearer(GRAFANA)}) {
                Answer a = call(authorization, "GET", path, null);
                assertEquals(200, a.status(), path + " with " + authorization + ": " + a.body());
            }
        }
        assertEquals("up", call(null, "GET", "health", null).json().get("status").textValue());
        assertEquals("ready", call(null, "GET", "ready", null).json().get("status").textValue());
    }

    /** The OpenAPI document holds no data, and the tools that load it cannot send a token first. */
    @Test
    void theOpenApiDocumentStaysOpen() {
        seed();
        String document = null;
        for (String path : List.of("openapi.json", "openapi.json/")) {
            for (String authorization : new String[] {null, "Bearer wrong", bearer(CI), bearer(GRAFANA)}) {
                Answer a = call(authorization, "GET", path, null);
                assertEquals(200, a.status(), path + " with " + authorization + ": " + a.body());
                assertEquals("3.1.0", a.json().get("openapi").textValue());
                assertFalse(a.body().contains("h1"), "the document shows data: " + a.body());
                document = a.body();
            }
        }
        assertEquals(document, call(bearer(GRAFANA), "GET", "openapi.json", null).body());
        Response first = target("openapi.json").request().get();
        String etag = first.getHeaderString("ETag");
        answer(first);
        assertNotNull(etag);
        assertEquals(304, call(null, "GET", "openapi.json", null, etag).status());
        // Only that path: its neighbours stay closed.
        assertError(call(null, "GET", "openapi.json.bak", null), 401, "unauthorized", null);
        assertError(call(null, "GET", "", null), 401, "unauthorized", null);
    }

    @Test
    void aMatchingETagWithoutATokenStillGets401() {
        seed();
        Response first = target("status").request().header("Authorization", bearer(GRAFANA)).get();
        String etag = first.getHeaderString("ETag");
        answer(first);
        assertNotNull(etag);
        assertEquals(304, call(bearer(GRAFANA), "GET", "status", null, etag).status());
        assertError(call(null, "GET", "status", null, etag), 401, "unauthorized", null);
        assertError(call(bearer(CI), "GET", "status", null, etag), 403, "forbidden", null);
    }

    @Test
    void writesStillNeedAWriteScope() {
        String write = "{\"server_group\":\"prod-web\",\"host\":\"h2\",\"status\":\"synced\"}";
        assertError(call(bearer(GRAFANA), "POST", "status/pipeline", write), 403, "forbidden", null);
        assertError(call(bearer(GRAFANA), "DELETE", "status/prod-web", null), 403, "forbidden", null);
        assertError(call(null, "POST", "status/pipeline", write), 401, "unauthorized", null);
        Answer a = call(bearer(BOTH), "POST", "status/pipeline", write);
        assertEquals(200, a.status(), a.body());
        assertEquals("ops", text(a.json().get("record"), "written_by_token"));
        assertError(call(bearer(BOTH), "POST", "status/pipeline",
                "{\"server_group\":\"lab\",\"host\":\"h2\",\"status\":\"synced\"}"), 403, "forbidden", null);
        assertEquals(1, call(bearer(GRAFANA), "GET", "status", null).json().size());
    }

    @Test
    void readsOpenAndCloseAsTheReadScopeComesAndGoes() {
        seed();
        assertEquals(401, call(null, "GET", "status", null).status());

        // No token has read any more: reads are open again, writes still need a token.
        writeTokens(List.of("ci " + sha256(CI) + " write:*", "ops " + sha256(BOTH) + " write:prod-*"));
        for (String path : READS) {
            Answer a = call(null, "GET", path, null);
            assertEquals(path.equals("status/nope/none") ? 404 : 200, a.status(), "GET /" + path + ": " + a.body());
        }
        assertEquals(200, call(bearer(CI), "GET", "status", null).status());
        assertError(call(null, "POST", "status/pipeline", "{\"server_group\":\"x\",\"host\":\"h\",\"status\":\"synced\"}"),
                401, "unauthorized", null);

        // A token gains read: reads need it again.
        writeTokens(List.of("ci " + sha256(CI) + " write:*", "grafana " + sha256(GRAFANA) + " read"));
        assertError(call(null, "GET", "status", null), 401, "unauthorized", null);
        assertError(call(bearer(CI), "GET", "metrics", null), 403, "forbidden", null);
        assertEquals(200, call(bearer(GRAFANA), "GET", "metrics", null).status());
    }
}
