package io.gitops.status.resource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.gitops.status.json.Json;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Contract §3, POST /status/pipeline: create, replace, Location, result, ignored fields. */
class PipelineWriteTest extends ApiTestSupport {

    static final String FULL = """
            {"server_group": "nginx-prod", "host": "web-01", "project_name": "gitops-for-servers",
             "repo_name": "nginx", "server_type": "nginx", "environment": "prod", "status": "out_of_sync",
             "changed_files": ["/etc/nginx/nginx.conf", "/etc/nginx/conf.d/a.conf"],
             "validation_status": "failed", "validation_message": "nginx: [emerg] unexpected }",
             "commit_sha": "0123abc", "branch": "main", "updated_by": "jenkins",
             "labels": {"team": "web", "tier": "edge"}, "last_pipeline_run": "2026-04-26T10:30:00Z"}
            """;

    @Test
    void createAnswers200CreatedWithLocationAndTheFullRow() {
        Instant before = Instant.now();
        Answer a = pipeline(FULL);
        Instant after = Instant.now();

        assertEquals(200, a.status(), a.body());
        assertEquals("no-cache", a.cacheControl());
        assertEquals("/status/nginx-prod/web-01", URI.create(a.location()).getPath(), a.location());
        assertTrue(a.location().startsWith(getBaseUri().toString()), a.location());

        JsonNode body = a.json();
        assertEquals(List.of("result", "key", "record", "ignored_fields"), names(body));
        assertEquals("created", body.get("result").textValue());
        assertEquals("nginx-prod/web-01", body.get("key").textValue());
        assertEquals(List.of(), texts(body.get("ignored_fields")));

        JsonNode r = body.get("record");
        assertRowShape(r);
        assertEquals("nginx-prod", text(r, "server_group"));
        assertEquals("web-01", text(r, "host"));
        assertEquals("gitops-for-servers", text(r, "project_name"));
        assertEquals("nginx", text(r, "repo_name"));
        assertEquals("nginx", text(r, "server_type"));
        assertEquals("prod", text(r, "environment"));
        assertEquals("out_of_sync", text(r, "status"));
        assertEquals(List.of("/etc/nginx/nginx.conf", "/etc/nginx/conf.d/a.conf"), texts(r.get("changed_files")));
        assertEquals(2, r.get("changed_files_count").intValue());
        assertEquals("failed", text(r, "validation_status"));
        assertEquals("nginx: [emerg] unexpected }", text(r, "validation_message"));
        assertEquals("0123abc", text(r, "commit_sha"));
        assertEquals("main", text(r, "branch"));
        assertEquals("jenkins", text(r, "updated_by"));
        assertEquals(Json.mapper().valueToTree(Map.of("team", "web", "tier", "edge")), r.get("labels"));
        assertEquals("2026-04-26T10:30:00Z", text(r, "last_pipeline_run"));
        assertNull(text(r, "last_cron_check"));
        assertServerTime(text(r, "timestamp"), before, after);

        // The row as read back is the row the write answered.
        assertEquals(r, row("nginx-prod", "web-01"));
    }

    @Test
    void replaceAnswersUpdatedResetsOmittedPipelineFieldsAndKeepsLastCronCheck() {
        pipelineOk(FULL);
        cronOk("""
                {"server_group": "nginx-prod", "host": "web-01", "last_cron_check": "2026-04-26T11:00:00Z"}""");

        Instant before = Instant.now();
        Answer a = pipeline("""
                {"server_group": "nginx-prod", "host": "web-01", "status": "synced"}""");
        Instant after = Instant.now();

        assertEquals(200, a.status(), a.body());
        assertNull(a.location(), "Location only for a created record");
        JsonNode body = a.json();
        assertEquals("updated", body.get("result").textValue());
        assertEquals("nginx-prod/web-01", body.get("key").textValue());
        assertEquals(List.of(), texts(body.get("ignored_fields")));
        JsonNode r = body.get("record");
        assertRowShape(r);
        for (String field : List.of("project_name", "repo_name", "server_type", "environment", "validation_status",
                "validation_message", "commit_sha", "branch", "updated_by")) {
            assertTrue(r.get(field).isNull(), field + " must be reset to null: " + r);
        }
        assertEquals("synced", text(r, "status"));
        assertEquals(List.of(), texts(r.get("changed_files")));
        assertEquals(0, r.get("changed_files_count").intValue());
        assertEquals(Json.mapper().createObjectNode(), r.get("labels"));
        assertEquals("2026-04-26T11:00:00Z", text(r, "last_cron_check"), "pipeline keeps last_cron_check");
        assertServerTime(text(r, "last_pipeline_run"), before, after);
        assertServerTime(text(r, "timestamp"), before, after);
        assertEquals(r, row("nginx-prod", "web-01"));
        assertEquals(1, get("status").json().size());
    }

    @Test
    void lastPipelineRunIsTheServerClockWhenTheBodyHasNone() {
        Instant before = Instant.now();
        JsonNode r = pipelineOk("""
                {"server_group": "g", "host": "h", "status": "unknown"}""").get("record");
        Instant after = Instant.now();
        assertServerTime(text(r, "last_pipeline_run"), before, after);
        assertEquals(text(r, "timestamp"), text(r, "last_pipeline_run"));
        assertEquals("unknown", text(r, "status"));
    }

    @Test
    void statusIsRequiredOnPipelineWrites() {
        assertError(assertChangesNothing(() -> pipeline("""
                {"server_group": "g", "host": "h"}""")), 400, "validation_failed", "status");
        assertError(assertChangesNothing(() -> pipeline("""
                {"server_group": "g", "host": "h", "status": null}""")), 400, "validation_failed", "status");
        assertError(assertChangesNothing(() -> pipeline("""
                {"server_group": "g", "host": "h", "status": ""}""")), 400, "validation_failed", "status");
    }

    @Test
    void unknownFieldsAreListedInIgnoredFieldsAndNotStored() {
        JsonNode body = pipelineOk("""
                {"zeta": 1, "server_group": "g", "host": "h", "status": "synced", "alpha": {"x": [1]},
                 "last_cron_check": "2026-04-26T11:00:00Z", "timestamp": "2020-01-01T00:00:00Z"}""");
        assertEquals(List.of("zeta", "alpha", "last_cron_check", "timestamp"), texts(body.get("ignored_fields")));
        JsonNode r = body.get("record");
        assertRowShape(r);
        assertEquals(ROW_FIELDS, names(r), "unknown fields must not appear in the row");
        assertNull(text(r, "last_cron_check"), "a pipeline write does not set last_cron_check");
        assertFalse(text(r, "timestamp").startsWith("2020"), "timestamp is the server's");
        assertEquals(r, row("g", "h"));
    }

    @Test
    void changedFilesCountIsAlwaysDerivedNeverTakenFromInput() {
        JsonNode body = pipelineOk("""
                {"server_group": "g", "host": "h", "status": "out_of_sync", "changed_files_count": 99,
                 "changed_files": ["a", "b"]}""");
        assertEquals(List.of("changed_files_count"), texts(body.get("ignored_fields")));
        assertEquals(2, body.get("record").get("changed_files_count").intValue());
        assertEquals(2, row("g", "h").get("changed_files_count").intValue());

        body = pipelineOk("""
                {"server_group": "g", "host": "h", "status": "synced", "changed_files_count": 99}""");
        assertEquals(List.of("changed_files_count"), texts(body.get("ignored_fields")));
        assertEquals(0, body.get("record").get("changed_files_count").intValue());
        assertEquals(0, row("g", "h").get("changed_files_count").intValue());
    }

    @Test
    void recordsOfOtherServersAreLeftAlone() {
        pipelineOk("""
                {"server_group": "g", "host": "h1", "status": "synced", "commit_sha": "one"}""");
        JsonNode first = row("g", "h1");
        JsonNode body = pipelineOk("""
                {"server_group": "g", "host": "h2", "status": "failed", "commit_sha": "two"}""");
        assertEquals("created", body.get("result").textValue());
        assertEquals(first, row("g", "h1"));
        assertEquals("two", text(row("g", "h2"), "commit_sha"));
    }

    @Test
    void theDataFileKeepsTheSeedFormatWithoutTheDerivedCountOrIgnoredFields() throws Exception {
        JsonNode body = pipelineOk(FULL.replace("\"labels\"", "\"zeta\": \"not stored\", \"labels\""));
        assertEquals(List.of("zeta"), texts(body.get("ignored_fields")));
        // On PostgreSQL, the records as the database holds them: its export, a data file without a journal to name.
        JsonNode file = Json.mapper().readTree(awaitStored(s -> s.contains("nginx-prod/web-01")));
        assertEquals(onPostgres() ? List.of("version", "servers") : List.of("version", "folded", "servers"),
                names(file));
        assertEquals("2.0", file.get("version").textValue());
        assertEquals(List.of("nginx-prod/web-01"), names(file.get("servers")));
        JsonNode stored = file.get("servers").get("nginx-prod/web-01");
        List<String> expected = RECORD_FIELDS.stream().filter(f -> !f.equals("changed_files_count")).toList();
        assertEquals(expected, names(stored).subList(0, expected.size()));
        assertFalse(stored.has("changed_files_count"), stored.toString());
        assertEquals("0123abc", stored.get("commit_sha").textValue());
        assertFalse(stored.has("zeta"), stored.toString());
        assertFalse(file.toString().contains("not stored"), file.toString());
    }

    @Test
    @FileStoreOnly("the files in the store folder")
    void noTemporaryFileIsLeftBehindAndEveryStoreFileStartsWithTheDataFileName() throws Exception {
        for (int i = 0; i < 5; i++) {
            pipelineOk("{\"server_group\": \"g\", \"host\": \"h" + i + "\", \"status\": \"synced\"}");
        }
        cronOk("{\"server_group\": \"g\", \"host\": \"h1\", \"status\": \"failed\"}");
        awaitDataFile(s -> s.contains("g/h4"));
        try (var files = java.nio.file.Files.list(storeDir)) {
            for (String name : files.map(p -> p.getFileName().toString()).toList()) {
                assertTrue(name.startsWith("status.json"), "foreign file in the store folder: " + name);
                assertFalse(name.endsWith(".tmp"), "temporary file left behind: " + name);
            }
        }
    }

    /**
     * On PostgreSQL the other store is another replica: it reads this one's acknowledged writes at
     * once, and this one reads its writes within a second (the store's promise to replicas), not
     * at once as processes sharing a data file do.
     */
    @Test
    void anAcknowledgedWriteIsOnDiskForAnotherStoreOnTheSameFileAndViceVersa() throws InterruptedException {
        pipelineOk(FULL);
        cronOk("{\"server_group\": \"nginx-prod\", \"host\": \"web-01\", \"status\": \"synced\"}");
        JsonNode viaApi = row("nginx-prod", "web-01");
        try (io.gitops.status.store.StatusStore other = reopenStore()) {
            io.gitops.status.api.StatusRecord stored = other.find("nginx-prod", "web-01").orElseThrow(
                    () -> new AssertionError("acknowledged write not visible to another store on the file"));
            assertEquals(Json.mapper().valueToTree(new io.gitops.status.api.StatusRow(stored, false)), viaApi);
            other.write(io.gitops.status.update.DriftUpdate.parse((com.fasterxml.jackson.databind.node.ObjectNode)
                    Json.mapper().createObjectNode().put("server_group", "nginx-prod").put("host", "web-01")
                            .put("status", "failed"), io.gitops.status.update.InputRules.STORED_DATA));
        }
        // A read reflects every write acknowledged before it began, whoever made it.
        if (onPostgres()) {
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(1);
            while (!"failed".equals(text(row("nginx-prod", "web-01"), "status")) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
        }
        assertEquals("failed", text(row("nginx-prod", "web-01"), "status"));
        assertEquals("0123abc", text(row("nginx-prod", "web-01"), "commit_sha"));
    }
}
