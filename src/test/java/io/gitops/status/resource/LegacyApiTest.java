package io.gitops.status.resource;

import io.gitops.status.SeedExamples;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gitops.status.json.Json;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Contract §5: the rsyslog v1 API (seeds/001_*), kept working verbatim. */
class LegacyApiTest extends ApiTestSupport {

    private Answer legacy(String json) {
        return post("api/status", json);
    }

    private JsonNode legacyOk(String json) {
        Answer a = legacy(json);
        assertEquals(200, a.status(), a.body());
        return a.json();
    }

    private static JsonNode json(String text) {
        try {
            return Json.mapper().readTree(text);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** Both v1 reads answer exactly {@code expected}, field order included. */
    private void assertV1Reads(String expected) {
        JsonNode want = json(expected);
        for (String path : List.of("api/status", "status.json")) {
            Answer a = get(path);
            assertEquals(200, a.status(), path + ": " + a.body());
            assertEquals("no-cache", a.cacheControl(), path);
            assertTrue(a.contentType().startsWith("application/json"), a.contentType());
            JsonNode got = a.json();
            assertEquals(want, got, path);
            for (JsonNode entry : got) {
                assertEquals(LEGACY_FIELDS, names(entry), path + " field order");
                for (JsonNode file : entry.get("files")) {
                    assertEquals(List.of("name"), names(file));
                }
                assertTrue(entry.get("drift_count").isInt(), entry.toString());
            }
        }
    }

    @Test
    void bothSeedPayloadsVerbatimCreateThenUpdateTheRecord() {
        Instant t0 = Instant.now();
        Answer created = legacy(SeedExamples.V1_SYNCED);
        Instant t1 = Instant.now();
        assertEquals(200, created.status(), created.body());
        JsonNode body = created.json();
        assertEquals(List.of("result", "key", "record", "ignored_fields"), names(body));
        assertEquals("created", body.get("result").textValue());
        assertEquals("rsyslog/rsyslog-lab", body.get("key").textValue());
        assertEquals(List.of(), texts(body.get("ignored_fields")));
        if (created.location() != null) {
            assertEquals("/status/rsyslog/rsyslog-lab", URI.create(created.location()).getPath());
        }
        JsonNode r = body.get("record");
        assertRowShape(r);
        assertEquals("rsyslog", text(r, "server_group"));
        assertEquals("rsyslog-lab", text(r, "host"));
        assertEquals("rsyslog", text(r, "repo_name"));
        assertNull(text(r, "project_name"));
        assertNull(text(r, "server_type"));
        assertNull(text(r, "environment"));
        assertEquals("synced", text(r, "status"));
        assertEquals(List.of(), texts(r.get("changed_files")));
        assertEquals(0, r.get("changed_files_count").intValue());
        assertNull(text(r, "validation_status"));
        assertNull(text(r, "validation_message"));
        assertNull(text(r, "commit_sha"));
        assertNull(text(r, "branch"));
        assertEquals("legacy-api", text(r, "updated_by"));
        assertEquals(Json.mapper().createObjectNode(), r.get("labels"));
        assertEquals("2026-04-21T10:30:00Z", text(r, "last_cron_check"));
        assertServerTime(text(r, "timestamp"), t0, t1);
        assertEquals(r, row("rsyslog", "rsyslog-lab"));
        assertV1Reads("""
                [{"repo": "rsyslog", "server": "rsyslog-lab", "sync_status": "SYNCED", "drift_count": 0,
                  "files": [], "last_check": "2026-04-21T10:30:00Z"}]""");

        Answer updated = legacy(SeedExamples.V1_DRIFT);
        Instant t2 = Instant.now();
        assertEquals(200, updated.status(), updated.body());
        assertNull(updated.location());
        body = updated.json();
        assertEquals("updated", body.get("result").textValue());
        assertEquals("rsyslog/rsyslog-lab", body.get("key").textValue());
        assertEquals(List.of(), texts(body.get("ignored_fields")));
        JsonNode r2 = body.get("record");
        ObjectNode expected = r.deepCopy();
        expected.put("status", "out_of_sync");
        expected.putArray("changed_files").add("rsyslog.conf").add("rsyslog.d/30-lab.conf");
        expected.put("changed_files_count", 2);
        expected.put("last_cron_check", "2026-04-21T10:32:15Z");
        expected.set("timestamp", r2.get("timestamp"));
        expected.put("last_seen", "2026-04-21T10:32:15Z");
        assertEquals(expected, r2);
        assertRowShape(r2);
        assertServerTime(text(r2, "timestamp"), t0, t2);
        assertEquals(r2, row("rsyslog", "rsyslog-lab"));
        assertEquals(1, get("status").json().size());
        assertV1Reads("""
                [{"repo": "rsyslog", "server": "rsyslog-lab", "sync_status": "OUT_OF_SYNC", "drift_count": 2,
                  "files": [{"name": "rsyslog.conf"}, {"name": "rsyslog.d/30-lab.conf"}],
                  "last_check": "2026-04-21T10:32:15Z"}]""");
    }

    @Test
    void onARecordThePipelineCreatedOnlyTheDriftFieldsChange() {
        JsonNode before = pipelineOk("""
                {"server_group": "rsyslog", "host": "rsyslog-lab", "status": "synced", "repo_name": "rsyslog-config",
                 "project_name": "gitops-for-servers", "server_type": "rsyslog", "environment": "lab",
                 "validation_status": "passed", "validation_message": "ok", "commit_sha": "abc", "branch": "master",
                 "updated_by": "woodpecker", "labels": {"site": "tlv"}, "last_pipeline_run": "2026-04-21T09:00:00Z"}""")
                .get("record");
        JsonNode body = legacyOk(SeedExamples.V1_DRIFT);
        assertEquals("updated", body.get("result").textValue());
        JsonNode r = body.get("record");
        ObjectNode expected = before.deepCopy();
        expected.put("status", "out_of_sync");
        expected.putArray("changed_files").add("rsyslog.conf").add("rsyslog.d/30-lab.conf");
        expected.put("changed_files_count", 2);
        expected.put("last_cron_check", "2026-04-21T10:32:15Z");
        expected.set("timestamp", r.get("timestamp"));
        expected.put("last_seen", "2026-04-21T10:32:15Z");
        expected.put("stale", true);
        assertEquals(expected, r);
        assertEquals("rsyslog-config", text(row("rsyslog", "rsyslog-lab"), "repo_name"));
        assertEquals("woodpecker", text(row("rsyslog", "rsyslog-lab"), "updated_by"));
        assertV1Reads("""
                [{"repo": "rsyslog-config", "server": "rsyslog-lab", "sync_status": "OUT_OF_SYNC", "drift_count": 2,
                  "files": [{"name": "rsyslog.conf"}, {"name": "rsyslog.d/30-lab.conf"}],
                  "last_check": "2026-04-21T10:32:15Z"}]""");
    }

    @Test
    void syncStatusIsMappedToLowerCaseAndAnythingElseIs400() {
        Map<String, String> mapping = Map.of("SYNCED", "synced", "OUT_OF_SYNC", "out_of_sync", "FAILED", "failed",
                "UNKNOWN", "unknown", "Out_Of_Sync", "out_of_sync");
        mapping.forEach((given, stored) -> {
            JsonNode r = legacyOk("{\"repo\": \"rsyslog\", \"server\": \"s1\", \"sync_status\": " + q(given) + "}")
                    .get("record");
            assertEquals(stored, text(r, "status"), given);
            assertEquals(given.toUpperCase(), get("api/status").json().get(0).get("sync_status").textValue());
        });
        for (String bad : List.of("\"DRIFTED\"", "\"OUT-OF-SYNC\"", "\"OK\"", "\"\"", "null", "1", "[\"SYNCED\"]")) {
            Answer a = assertChangesNothing(() -> legacy(
                    "{\"repo\": \"rsyslog\", \"server\": \"s1\", \"sync_status\": " + bad + "}"));
            assertEquals(400, a.status(), bad + ": " + a.body());
            assertError(a, 400, "validation_failed", "sync_status");
        }
    }

    @Test
    void repoServerAndSyncStatusAreRequired() {
        assertError(assertChangesNothing(() -> legacy("{\"server\": \"s\", \"sync_status\": \"SYNCED\"}")), 400,
                "validation_failed", "repo");
        assertError(assertChangesNothing(() -> legacy("{\"repo\": \"r\", \"sync_status\": \"SYNCED\"}")), 400,
                "validation_failed", "server");
        assertError(assertChangesNothing(() -> legacy("{\"repo\": \"r\", \"server\": \"s\"}")), 400,
                "validation_failed", "sync_status");
        assertError(assertChangesNothing(() -> legacy("{\"repo\": \"r/x\", \"server\": \"s\", \"sync_status\": \"SYNCED\"}")),
                400, "validation_failed", "repo");
        assertError(assertChangesNothing(() -> legacy("{\"repo\": \"r\", \"server\": \"s 1\", \"sync_status\": \"SYNCED\"}")),
                400, "validation_failed", "server");
        assertError(assertChangesNothing(() -> legacy(
                "{\"repo\": \"r\", \"server\": \"s\", \"sync_status\": \"SYNCED\", \"files\": [{\"name\": \"\"}]}")),
                400, "validation_failed", "files");
        assertError(assertChangesNothing(() -> legacy(
                "{\"repo\": \"r\", \"server\": \"s\", \"sync_status\": \"SYNCED\", \"last_check\": \"2026-04-21 10:30\"}")),
                400, "validation_failed", "last_check");
        assertEquals("[]", get("api/status").body().replaceAll("\\s", ""));
    }

    @Test
    void driftCountIsAcceptedButNotStoredAndFilesMayBeStrings() throws Exception {
        Instant t0 = Instant.now();
        JsonNode body = legacyOk("""
                {"repo": "rsyslog", "server": "s1", "sync_status": "OUT_OF_SYNC", "drift_count": 7,
                 "files": ["rsyslog.conf"], "extra": true}""");
        assertEquals(List.of("extra"), texts(body.get("ignored_fields")));
        JsonNode r = body.get("record");
        assertEquals(List.of("rsyslog.conf"), texts(r.get("changed_files")));
        assertEquals(1, r.get("changed_files_count").intValue());
        assertServerTime(text(r, "last_cron_check"), t0, Instant.now());
        assertEquals(1, get("api/status").json().get(0).get("drift_count").intValue());
        String file = new String(awaitStored(s -> s.contains("rsyslog/s1")), "UTF-8");
        assertFalse(file.contains("drift_count"), file);
        assertFalse(file.contains("extra"), file);
    }

    @Test
    void v1ReadsFallBackToServerGroupAndLastPipelineRunAndAreSortedLikeRows() {
        pipelineOk("""
                {"server_group": "b-group", "host": "h1", "status": "failed", "changed_files": ["x.conf"],
                 "last_pipeline_run": "2026-04-26T10:30:00+03:00"}""");
        pipelineOk("""
                {"server_group": "a-group", "host": "h2", "status": "synced", "repo_name": "zzz-repo",
                 "last_pipeline_run": "2026-04-26T10:00:00Z"}""");
        pipelineOk("""
                {"server_group": "a-group", "host": "H1", "status": "unknown", "repo_name": "",
                 "last_pipeline_run": "2026-04-26T09:00:00Z"}""");
        cronOk("""
                {"server_group": "a-group", "host": "h2", "last_cron_check": "2026-04-26T11:00:00.5Z"}""");
        assertV1Reads("""
                [{"repo": "a-group", "server": "H1", "sync_status": "UNKNOWN", "drift_count": 0, "files": [],
                  "last_check": "2026-04-26T09:00:00Z"},
                 {"repo": "zzz-repo", "server": "h2", "sync_status": "SYNCED", "drift_count": 0, "files": [],
                  "last_check": "2026-04-26T11:00:00.5Z"},
                 {"repo": "b-group", "server": "h1", "sync_status": "FAILED", "drift_count": 1,
                  "files": [{"name": "x.conf"}], "last_check": "2026-04-26T07:30:00Z"}]""");
    }

    @Test
    void emptyStoreReadsAsAnEmptyV1Array() {
        assertV1Reads("[]");
    }
}
