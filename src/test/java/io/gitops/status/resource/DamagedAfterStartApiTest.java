package io.gitops.status.resource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Contract §7 "Damaged files", through the API: a data file damaged while the application runs
 * (garbage, an unknown version, a record that is not an object) is noticed on the next request,
 * never overwritten, and served again once fixed.
 */
@FileStoreOnly("a data file damaged while the application runs, then restored")
class DamagedAfterStartApiTest extends ApiTestSupport {

    private List<Supplier<Answer>> endpoints() {
        return List.of(
                () -> get("status"),
                () -> get("status/nginx-prod"),
                () -> get("status/nginx-prod/web-01"),
                () -> get("api/status"),
                () -> get("status.json"),
                () -> pipeline("{\"server_group\": \"nginx-prod\", \"host\": \"web-01\", \"status\": \"failed\"}"),
                () -> pipeline("{\"server_group\": \"other\", \"host\": \"web-01\", \"status\": \"failed\"}"),
                () -> cron("{\"server_group\": \"nginx-prod\", \"host\": \"web-01\", \"status\": \"failed\"}"),
                () -> post("api/status", "{\"repo\": \"nginx-prod\", \"server\": \"web-01\", \"sync_status\": \"FAILED\"}"));
    }

    @Test
    void aFileDamagedWhileRunningIs503UntouchedAndServedAgainOnceFixed() throws Exception {
        pipelineOk(PipelineWriteTest.FULL);
        cronOk("{\"server_group\": \"nginx-prod\", \"host\": \"web-01\", \"last_cron_check\": \"2026-04-26T11:00:00Z\"}");
        // Once the data file holds every write (a journal design compacts it within 5 s).
        byte[] healthy = awaitDataFile(s -> s.contains("2026-04-26T11:00:00Z"));
        String before = get("status").body();

        for (String damage : List.of("this is not JSON\n", "{\"version\": \"3.0\", \"servers\": {}}",
                "{\"version\": \"2.0\", \"servers\": {\"nginx-prod/web-01\": [1, 2]}}", "[1, 2, 3]", "null")) {
            byte[] bytes = damage.getBytes(StandardCharsets.UTF_8);
            Files.write(statusFile, bytes);
            for (Supplier<Answer> call : endpoints()) {
                DamagedStoreApiTest.assertUnavailable(call.get());
                assertArrayEquals(bytes, Files.readAllBytes(statusFile), damage);
            }
            assertEquals(503, get("ready").status(), damage);
            Files.write(statusFile, healthy);
            assertEquals(before, get("status").body(), "after fixing " + damage);
            assertEquals(200, get("ready").status());
        }
        cronOk("{\"server_group\": \"nginx-prod\", \"host\": \"web-01\", \"status\": \"failed\"}");
        assertEquals("failed", text(row("nginx-prod", "web-01"), "status"));
        assertEquals("0123abc", text(row("nginx-prod", "web-01"), "commit_sha"));
    }
}
