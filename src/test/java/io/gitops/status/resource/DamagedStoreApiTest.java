package io.gitops.status.resource;

import io.gitops.status.SeedExamples;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Contract §7 "Damaged files", through the API: a data file that is damaged when the application
 * starts is never overwritten, every read and write endpoint answers 503 store_unavailable, and
 * the service recovers once the file is fixed.
 */
@FileStoreOnly("a data file damaged before the start, left byte for byte, and fixed by hand")
class DamagedStoreApiTest extends ApiTestSupport {

    /** A torn data file, as a hand edit or a foreign writer might leave it. */
    static final byte[] DAMAGED = """
            {"version": "2.0", "servers": {"rsyslog-prod/rsyslog-01": {"server_group": "rsyslog-prod",
              "host": "rsyslog-01", "status": "synced", "changed_fi""".getBytes(StandardCharsets.UTF_8);

    static final String FIXED = """
            {"version": "2.0", "servers": {"rsyslog-prod/rsyslog-01": {"server_group": "rsyslog-prod",
              "host": "rsyslog-01", "status": "synced", "changed_files": ["a.conf"], "commit_sha": "abc",
              "last_pipeline_run": "2026-04-26T10:30:00Z", "last_cron_check": null,
              "timestamp": "2026-04-26T10:30:00Z"}}}
            """;

    @Override
    protected byte[] initialDataFile() {
        return DAMAGED;
    }

    /** Every read and write endpoint, each returning its answer. */
    List<Supplier<Answer>> everyStoreEndpoint() {
        return List.of(
                () -> get("status"),
                () -> answer(target("status").queryParam("status", "synced").request().get()),
                () -> get("status/rsyslog-prod"),
                () -> get("status/rsyslog-prod/rsyslog-01"),
                () -> get("api/status"),
                () -> get("status.json"),
                () -> pipeline("{\"server_group\": \"rsyslog-prod\", \"host\": \"rsyslog-01\", \"status\": \"failed\"}"),
                () -> pipeline("{\"server_group\": \"new\", \"host\": \"h\", \"status\": \"failed\"}"),
                () -> cron("{\"server_group\": \"rsyslog-prod\", \"host\": \"rsyslog-01\", \"status\": \"failed\"}"),
                () -> post("api/status", SeedExamples.V1_DRIFT));
    }

    static void assertUnavailable(Answer a) {
        JsonNode body = assertError(a, 503, "store_unavailable", null);
        assertFalse(body.get("message").textValue().isBlank());
        assertEquals("no-cache", a.cacheControl());
    }

    @Test
    void everyReadAndWriteEndpointIs503AndTheFileIsLeftByteForByte() throws Exception {
        for (int round = 0; round < 2; round++) {
            int i = 0;
            for (Supplier<Answer> call : everyStoreEndpoint()) {
                Answer a = call.get();
                assertEquals(503, a.status(), "endpoint #" + i++ + ": " + a.body());
                assertUnavailable(a);
                assertArrayEquals(DAMAGED, Files.readAllBytes(statusFile));
            }
        }
        Answer ready = get("ready");
        assertEquals(503, ready.status(), ready.body());
        assertEquals(List.of("status", "reason"), names(ready.json()));
        assertEquals("not_ready", ready.json().get("status").textValue());
        assertEquals(200, get("health").status());
        assertArrayEquals(DAMAGED, Files.readAllBytes(statusFile));
        try (var files = Files.list(storeDir)) {
            for (String name : files.map(p -> p.getFileName().toString()).toList()) {
                assertTrue(name.startsWith("status.json"), "foreign file in the store folder: " + name);
                assertFalse(name.endsWith(".tmp") || name.contains(".bak"),
                        "a damaged store must not grow backups or temporaries: " + name);
            }
        }
    }

    @Test
    void theServiceRecoversOnceTheFileIsFixed() throws Exception {
        assertUnavailable(get("status"));
        Files.writeString(statusFile, FIXED);

        JsonNode rows = get("status").json();
        assertEquals(1, rows.size(), rows.toString());
        JsonNode row = rows.get(0);
        assertRowShape(row);
        assertEquals("rsyslog-prod", text(row, "server_group"));
        assertEquals("abc", text(row, "commit_sha"));
        assertEquals(1, row.get("changed_files_count").intValue());
        assertEquals(200, get("ready").status());
        assertEquals(1, get("ready").json().get("store").get("servers").intValue());

        JsonNode written = pipelineOk("{\"server_group\": \"new\", \"host\": \"h\", \"status\": \"failed\"}");
        assertEquals("created", written.get("result").textValue());
        JsonNode cron = cronOk("{\"server_group\": \"rsyslog-prod\", \"host\": \"rsyslog-01\", \"status\": \"failed\"}");
        assertEquals("abc", text(cron.get("record"), "commit_sha"));
        assertEquals(2, get("status").json().size());
        assertEquals(2, get("ready").json().get("store").get("servers").intValue());
    }

    @Test
    void removingTheDamagedFileRecoversWithAnEmptyStore() throws Exception {
        assertUnavailable(pipeline("{\"server_group\": \"g\", \"host\": \"h\", \"status\": \"failed\"}"));
        Files.delete(statusFile);
        assertEquals("[]", get("status").body().replaceAll("\\s", ""));
        assertEquals(0, get("ready").json().get("store").get("servers").intValue());
        pipelineOk("{\"server_group\": \"g\", \"host\": \"h\", \"status\": \"failed\"}");
        assertEquals("failed", text(row("g", "h"), "status"));
    }
}
