package io.gitops.status.resource;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.gitops.status.SeedExamples;
import jakarta.ws.rs.client.WebTarget;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** GET /status/files: one row per (server group, host, changed file), for drill-down tables. */
class FileRowsTest extends ApiTestSupport {

    private static final List<String> FILE_ROW_FIELDS = List.of("server_group", "host", "file", "status",
            "last_cron_check");

    @Test
    void oneRowPerChangedFileWithTheHostsStatusAndCheckTime() {
        pipelineOk(SeedExamples.PIPELINE);
        cronOk(SeedExamples.CRON_DRIFT);
        pipelineOk("{\"server_group\":\"a-web\",\"host\":\"w1\",\"status\":\"failed\",\"environment\":\"dev\","
                + "\"changed_files\":[\"b.conf\",\"a.conf\"]}");
        pipelineOk("{\"server_group\":\"a-web\",\"host\":\"w2\",\"status\":\"synced\"}");

        JsonNode rows = get("status/files").json();
        List<String> seen = new ArrayList<>();
        for (JsonNode row : rows) {
            assertEquals(FILE_ROW_FIELDS, names(row), row.toString());
            seen.add(String.join("|", row.get("server_group").textValue(), row.get("host").textValue(),
                    row.get("file").textValue(), row.get("status").textValue(),
                    row.get("last_cron_check").isNull() ? "null" : row.get("last_cron_check").textValue()));
        }
        // Hosts in list order, files in the host's order; hosts without changed files have no rows.
        assertEquals(List.of("a-web|w1|b.conf|failed|null", "a-web|w1|a.conf|failed|null",
                "rsyslog-prod|rsyslog-01|/etc/rsyslog.conf|out_of_sync|2026-04-26T11:00:00Z",
                "rsyslog-prod|rsyslog-01|/etc/rsyslog.d/50-default.conf|out_of_sync|2026-04-26T11:00:00Z"), seen);
    }

    @Test
    void takesTheSameFiltersAsTheList() {
        pipelineOk("{\"server_group\":\"g\",\"host\":\"h1\",\"status\":\"failed\",\"environment\":\"prod\","
                + "\"changed_files\":[\"x\"]}");
        pipelineOk("{\"server_group\":\"g\",\"host\":\"h2\",\"status\":\"out_of_sync\",\"environment\":\"dev\","
                + "\"changed_files\":[\"y\"]}");
        assertEquals(List.of("h1"), hosts(files("environment", "prod")));
        assertEquals(List.of("h1", "h2"), hosts(files("status", "FAILED", "status", "out_of_sync")));
        assertEquals(0, files("server_group", "none").size());
        assertError(answer(target("status/files").queryParam("colour", "red").request().get()), 400,
                "unknown_parameter", "colour");
    }

    private JsonNode files(String... query) {
        WebTarget files = target("status/files");
        for (int i = 0; i < query.length; i += 2) {
            files = files.queryParam(query[i], query[i + 1]);
        }
        return answer(files.request().get()).json();
    }

    private static List<String> hosts(JsonNode rows) {
        List<String> hosts = new ArrayList<>();
        rows.forEach(row -> hosts.add(row.get("host").textValue()));
        return hosts;
    }
}
