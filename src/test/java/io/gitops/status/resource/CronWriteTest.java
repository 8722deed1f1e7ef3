package io.gitops.status.resource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Contract §3, POST /status/cron: drift fields only, 404 on a missing record. */
class CronWriteTest extends ApiTestSupport {

    private JsonNode createFull() {
        return pipelineOk(PipelineWriteTest.FULL).get("record");
    }

    @Test
    void cronOnAMissingRecordIs404NotFoundAndCreatesNothing() {
        JsonNode error = assertError(assertChangesNothing(() -> cron("""
                {"server_group": "nginx-prod", "host": "web-01", "status": "synced"}""")),
                404, "not_found", null);
        assertEquals("no-cache", cron("{\"server_group\": \"g\", \"host\": \"h\"}").cacheControl());
        assertEquals(0, get("status").json().size());
        assertError(get("status/nginx-prod/web-01"), 404, "not_found", null);
        assertEquals(true, error.get("message").textValue().contains("/status/pipeline"), error.toString());
    }

    @Test
    void cronOnAnotherHostOfAnExistingGroupIsStill404() {
        createFull();
        assertError(assertChangesNothing(() -> cron("""
                {"server_group": "nginx-prod", "host": "web-02", "status": "synced"}""")),
                404, "not_found", null);
    }

    @Test
    void cronChangesOnlyStatusChangedFilesLastCronCheckAndTimestamp() {
        JsonNode before = createFull();
        Instant t0 = Instant.now();
        Answer a = cron("""
                {"server_group": "nginx-prod", "host": "web-01", "status": "synced",
                 "commit_sha": "ffff", "changed_files": ["/etc/x.conf"], "project_name": "other",
                 "validation_status": "passed", "labels": {"a": "b"}, "last_pipeline_run": "2020-01-01T00:00:00Z",
                 "last_cron_check": "2026-04-26T11:00:00Z", "updated_by": "cron", "changed_files_count": 5}""");
        Instant t1 = Instant.now();
        assertEquals(200, a.status(), a.body());
        assertNull(a.location(), "cron never creates");
        JsonNode body = a.json();
        assertEquals(List.of("result", "key", "record", "ignored_fields"), names(body));
        assertEquals("updated", body.get("result").textValue());
        assertEquals("nginx-prod/web-01", body.get("key").textValue());
        assertEquals(List.of("commit_sha", "project_name", "validation_status", "labels", "last_pipeline_run",
                "updated_by", "changed_files_count"), texts(body.get("ignored_fields")));

        JsonNode r = body.get("record");
        assertRowShape(r);
        ObjectNode expected = before.deepCopy();
        expected.put("status", "synced");
        expected.putArray("changed_files").add("/etc/x.conf");
        expected.put("changed_files_count", 1);
        expected.put("last_cron_check", "2026-04-26T11:00:00Z");
        expected.set("timestamp", r.get("timestamp"));
        expected.put("last_seen", "2026-04-26T11:00:00Z"); // the later of the pipeline run and the check
        expected.put("stale", true); // checked long before the 30-minute threshold
        assertEquals(expected, r);
        assertServerTime(text(r, "timestamp"), t0, t1);
        assertEquals(r, row("nginx-prod", "web-01"));
    }

    @Test
    void fieldsTheCronBodyOmitsKeepTheirValueAndLastCronCheckIsAlwaysSet() {
        JsonNode before = createFull();
        Instant t0 = Instant.now();
        JsonNode body = cronOk("""
                {"server_group": "nginx-prod", "host": "web-01"}""");
        Instant t1 = Instant.now();
        assertEquals(List.of(), texts(body.get("ignored_fields")));
        JsonNode r = body.get("record");
        assertEquals("out_of_sync", text(r, "status"));
        assertEquals(texts(before.get("changed_files")), texts(r.get("changed_files")));
        assertEquals(2, r.get("changed_files_count").intValue());
        assertServerTime(text(r, "last_cron_check"), t0, t1);
        assertServerTime(text(r, "timestamp"), t0, t1);
        assertEquals("2026-04-26T10:30:00Z", text(r, "last_pipeline_run"));

        // An empty last_cron_check counts as absent: the server clock again.
        r = cronOk("""
                {"server_group": "nginx-prod", "host": "web-01", "last_cron_check": "",
                 "changed_files": []}""").get("record");
        assertServerTime(text(r, "last_cron_check"), t0, Instant.now());
        assertEquals(List.of(), texts(r.get("changed_files")));
        assertEquals(0, r.get("changed_files_count").intValue());
        assertEquals("out_of_sync", text(r, "status"));
    }

    @Test
    void cronAppliesTheInputRules() {
        createFull();
        JsonNode r = cronOk("""
                {"server_group": "nginx-prod", "host": "web-01", "status": "FAILED",
                 "changed_files": [{"name": "a.conf"}], "last_cron_check": "2026-04-26T14:00:00.25+03:00"}""")
                .get("record");
        assertEquals("failed", text(r, "status"));
        assertEquals(List.of("a.conf"), texts(r.get("changed_files")));
        assertEquals("2026-04-26T11:00:00.25Z", text(r, "last_cron_check"));

        assertError(assertChangesNothing(() -> cron("""
                {"server_group": "nginx-prod", "host": "web-01", "status": "drifted"}""")),
                400, "validation_failed", "status");
        assertError(assertChangesNothing(() -> cron("""
                {"server_group": "nginx-prod", "host": "web-01", "last_cron_check": "2026-04-26T11:00:00"}""")),
                400, "validation_failed", "last_cron_check");
        assertError(assertChangesNothing(() -> cron("""
                {"server_group": "nginx-prod", "host": "web-01", "changed_files": [""]}""")),
                400, "validation_failed", "changed_files");
        assertError(assertChangesNothing(() -> cron("""
                {"server_group": "nginx-prod", "host": "web-01", "status": ["synced"]}""")),
                400, "validation_failed", "status");
    }

    @Test
    void cronRequiresServerGroupAndHost() {
        createFull();
        assertError(assertChangesNothing(() -> cron("""
                {"host": "web-01", "status": "synced"}""")), 400, "validation_failed", "server_group");
        assertError(assertChangesNothing(() -> cron("""
                {"server_group": "nginx-prod", "status": "synced"}""")), 400, "validation_failed", "host");
        assertError(assertChangesNothing(() -> cron("""
                {"server_group": "nginx-prod", "host": "", "status": "synced"}""")), 400, "validation_failed", "host");
    }
}
