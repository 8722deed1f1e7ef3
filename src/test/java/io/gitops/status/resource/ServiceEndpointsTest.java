package io.gitops.status.resource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Contract §6: GET /, /health, /ready. */
class ServiceEndpointsTest extends ApiTestSupport {

    /** Where the store is, as GET / and /ready name it: the data file, or the database's URL without credentials. */
    private List<String> location() {
        return onPostgres() ? List.of("postgresql", "url", io.gitops.status.config.AppConfig.Database.at(database().jdbcUrl()).displayUrl())
                : List.of("file", "path", statusFile.toAbsolutePath().normalize().toString());
    }

    private void assertLocation(JsonNode store) {
        List<String> location = location();
        assertEquals(location.get(0), store.get("kind").textValue(), store.toString());
        assertEquals(location.get(2), store.get(location.get(1)).textValue(), store.toString());
        assertFalse(store.toString().contains("user="), "no credentials: " + store);
        assertFalse(store.toString().contains("password"), "no credentials: " + store);
    }

    @Test
    void rootNamesTheServiceItsVersionAndItsEndpoints() {
        Answer a = get("");
        assertEquals(200, a.status(), a.body());
        assertEquals("no-cache", a.cacheControl());
        assertTrue(a.contentType().startsWith("application/json"), a.contentType());
        JsonNode body = a.json();
        assertEquals(List.of("name", "version", "store", "endpoints"), names(body));
        assertEquals("gitops-status-api", body.get("name").textValue());
        assertEquals(List.of("kind", location().get(1)), names(body.get("store")));
        assertLocation(body.get("store"));
        String version = body.get("version").textValue();
        assertTrue(version.matches("\\d+\\.\\d+\\.\\d+.*"), "version from the build: " + version);
        assertFalse(version.contains("${"), version);
        List<String> endpoints = texts(body.get("endpoints"));
        String all = String.join("\n", endpoints);
        for (String path : List.of("/status/pipeline", "/status/cron", "/api/status", "/status.json", "/health",
                "/ready")) {
            assertTrue(all.contains(path), "endpoints should list " + path + ": " + endpoints);
        }
        assertEquals(body, get("/").json());
    }

    @Test
    void healthIsUp() {
        Answer a = get("health");
        assertEquals(200, a.status(), a.body());
        assertEquals("no-cache", a.cacheControl());
        assertEquals("{\"status\":\"up\"}", a.json().toString());
    }

    @Test
    void readyShowsThePathAndTheNumberOfServers() {
        Answer a = get("ready");
        assertEquals(200, a.status(), a.body());
        assertEquals("no-cache", a.cacheControl());
        JsonNode body = a.json();
        assertEquals(List.of("status", "store"), names(body));
        assertEquals("ready", body.get("status").textValue());
        JsonNode store = body.get("store");
        assertEquals(List.of("kind", location().get(1), "servers"), names(store));
        assertLocation(store);
        assertTrue(store.get("servers").isInt(), store.toString());
        assertEquals(0, store.get("servers").intValue());

        pipelineOk("{\"server_group\": \"g\", \"host\": \"h1\", \"status\": \"synced\"}");
        pipelineOk("{\"server_group\": \"g\", \"host\": \"h2\", \"status\": \"synced\"}");
        pipelineOk("{\"server_group\": \"g\", \"host\": \"h1\", \"status\": \"failed\"}");
        post("api/status", "{\"repo\": \"r\", \"server\": \"s\", \"sync_status\": \"SYNCED\"}");
        store = get("ready").json().get("store");
        assertEquals(3, store.get("servers").intValue());
        assertLocation(store);
    }

    /** On PostgreSQL: once the replica has found the database unusable, which it checks every 250 ms. */
    @Test
    void readyIs503NotReadyWhenTheDataFileIsDamagedWhileHealthStaysUp() throws Exception {
        pipelineOk("{\"server_group\": \"g\", \"host\": \"h1\", \"status\": \"synced\"}");
        Answer a;
        if (onPostgres()) {
            breakDatabase();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            do {
                Thread.sleep(50);
                a = get("ready");
            } while (a.status() == 200 && System.nanoTime() < deadline);
        } else {
            java.nio.file.Files.writeString(statusFile, "{\"version\": \"2.0\", \"servers\": {\"g/h1\": ");
            a = get("ready");
        }
        assertEquals(503, a.status(), a.body());
        assertNoInternals(a.body());
        JsonNode body = a.json();
        assertEquals(List.of("status", "reason"), names(body));
        assertEquals("not_ready", body.get("status").textValue());
        assertFalse(body.get("reason").textValue().isBlank());
        Answer health = get("health");
        assertEquals(200, health.status());
        assertEquals("{\"status\":\"up\"}", health.json().toString());
        assertEquals(200, get("").status(), "GET / does not need the store");
    }
}
