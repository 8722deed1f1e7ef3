package io.gitops.status.resource;

import io.gitops.status.SeedExamples;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gitops.status.json.Json;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The seed README's (seeds/000_*) example bodies, verbatim, and the GET /status row it shows. */
class SeedReadmeExamplesTest extends ApiTestSupport {

    /** The README's GET /status row, in the contract's order, with labels and the server's timestamp. */
    static final String EXPECTED_ROW = """
            {"server_group": "rsyslog-prod", "host": "rsyslog-01", "project_name": "gitops-for-servers",
             "repo_name": "rsyslog", "server_type": "rsyslog", "environment": "prod", "status": "synced",
             "changed_files": [], "changed_files_count": 0, "validation_status": "passed",
             "validation_message": "rsyslog syntax validation passed", "commit_sha": "abc1234567890",
             "branch": "master", "updated_by": "woodpecker", "labels": {},
             "last_pipeline_run": "2026-04-26T10:30:00Z", "last_cron_check": "2026-04-26T11:00:00Z",
             "timestamp": "<server>", "last_seen": "2026-04-26T11:00:00Z", "stale": true,
             "written_by_token": null}""";

    @Test
    void pipelineThenCronExamplesGiveTheReadmeRow() throws Exception {
        JsonNode created = pipelineOk(SeedExamples.PIPELINE);
        assertEquals("created", created.get("result").textValue());
        assertEquals(List.of(), texts(created.get("ignored_fields")));
        Instant t0 = Instant.now();
        JsonNode cron = cronOk(SeedExamples.CRON);
        Instant t1 = Instant.now();
        assertEquals("updated", cron.get("result").textValue());
        assertEquals(List.of(), texts(cron.get("ignored_fields")));

        Answer list = get("status");
        assertEquals(200, list.status());
        JsonNode rows = list.json();
        assertEquals(1, rows.size());
        JsonNode row = rows.get(0);
        assertEquals(ROW_FIELDS, names(row));
        assertServerTime(text(row, "timestamp"), t0, t1);
        ObjectNode expected = (ObjectNode) Json.mapper().readTree(EXPECTED_ROW);
        expected.put("timestamp", text(row, "timestamp"));
        assertEquals(expected, row);
        assertEquals(row, cron.get("record"));
        assertEquals(row, row("rsyslog-prod", "rsyslog-01"));
        assertEquals(rows, get("status/rsyslog-prod").json());
    }

    @Test
    void theDriftExampleRecordsTheChangedFiles() {
        pipelineOk(SeedExamples.PIPELINE);
        cronOk(SeedExamples.CRON);
        JsonNode r = cronOk(SeedExamples.CRON_DRIFT).get("record");
        assertEquals("out_of_sync", text(r, "status"));
        assertEquals(List.of("/etc/rsyslog.conf", "/etc/rsyslog.d/50-default.conf"), texts(r.get("changed_files")));
        assertEquals(2, r.get("changed_files_count").intValue());
        assertEquals("abc1234567890", text(r, "commit_sha"), "cron does not overwrite pipeline metadata");
        assertEquals("passed", text(r, "validation_status"));
        assertEquals(r, row("rsyslog-prod", "rsyslog-01"));
        // Grafana's "changed_files_count > 0" alert and "status == out_of_sync" stat.
        assertEquals(1, answer(target("status").queryParam("status", "out_of_sync").request().get()).json().size());
    }

    @Test
    void theLocalDevelopmentExamples() {
        JsonNode p = pipelineOk("{\"server_group\":\"test\",\"host\":\"test-01\",\"status\":\"synced\"}");
        assertEquals("created", p.get("result").textValue());
        JsonNode c = cronOk("{\"server_group\":\"test\",\"host\":\"test-01\",\"status\":\"synced\"}");
        assertEquals("updated", c.get("result").textValue());
        JsonNode row = row("test", "test-01");
        assertRowShape(row);
        assertEquals("synced", text(row, "status"));
        assertEquals(c.get("record"), row);
        assertEquals(1, get("status").json().size());
    }

    @Test
    void theNginxCronScriptBodyAfterShellExpansion() {
        pipelineOk("{\"server_group\": \"nginx-prod\", \"host\": \"web-01\", \"status\": \"synced\"}");
        // The README's script with STATUS=out_of_sync, CHANGED='["/etc/nginx/nginx.conf"]' expanded.
        JsonNode r = cronOk("""
                {
                    "server_group": "nginx-prod",
                    "host": "web-01",
                    "status": "out_of_sync",
                    "changed_files": ["/etc/nginx/nginx.conf"],
                    "last_cron_check": "2026-04-26T11:02:03Z"
                  }""").get("record");
        assertEquals(List.of("/etc/nginx/nginx.conf"), texts(r.get("changed_files")));
        assertEquals("2026-04-26T11:02:03Z", text(r, "last_cron_check"));
    }
}
