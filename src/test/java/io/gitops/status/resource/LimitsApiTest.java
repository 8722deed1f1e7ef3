package io.gitops.status.resource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.gitops.status.config.AppConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The configured caps (issue 9, item 7) through HTTP, set small: past the store's host cap a write
 * is 409 {@code limit_exceeded}, past a per-record cap on changed files (which one body alone
 * passes) 413 {@code limit_exceeded}; the body names the setting, and nothing changes.
 */
class LimitsApiTest extends ApiTestSupport {

    @Override
    protected AppConfig config(AppConfig defaults) {
        return defaults.withLimits(new AppConfig.Limits(3, 3, 20));
    }

    private static String pipelineBody(String group, String host, String files) {
        return "{\"server_group\":" + q(group) + ",\"host\":" + q(host) + ",\"status\":\"synced\""
                + (files == null ? "" : ",\"changed_files\":" + files) + "}";
    }

    private static String cronBody(String group, String host, String files) {
        return "{\"server_group\":" + q(group) + ",\"host\":" + q(host) + ",\"changed_files\":" + files + "}";
    }

    private static String legacyBody(String repo, String server, String files) {
        return "{\"repo\":" + q(repo) + ",\"server\":" + q(server) + ",\"sync_status\":\"SYNCED\",\"files\":" + files
                + "}";
    }

    @Test
    void aWriteThatWouldCreateOneHostTooManyIs409AndChangesNothing() {
        pipelineOk(pipelineBody("g", "h1", null));
        pipelineOk(pipelineBody("g", "h2", null));
        pipelineOk(pipelineBody("other", "h1", null));

        JsonNode error = assertError(assertChangesNothing(() -> pipeline(pipelineBody("g", "h4", null))), 409,
                "limit_exceeded", "maxHosts");
        assertTrue(error.get("message").textValue().contains("maxHosts"), error.toString());
        assertError(assertChangesNothing(() -> post("api/status", legacyBody("g", "h4", "[]"))), 409,
                "limit_exceeded", "maxHosts");

        // Hosts that exist may still be written; a deletion makes room again.
        assertEquals("updated", pipelineOk(pipelineBody("g", "h1", "[\"/etc/a\"]")).get("result").textValue());
        assertEquals(200, cron(cronBody("g", "h2", "[\"/etc/b\"]")).status());
        assertEquals(204, target("status/other/h1").request().delete().getStatus());
        assertEquals("created", pipelineOk(pipelineBody("g", "h4", null)).get("result").textValue());
        assertEquals(List.of("g/h1", "g/h2", "g/h4"), keys(get("status").json()));
    }

    @Test
    void moreChangedFilesThanTheCapIs413NamingTheSetting() {
        pipelineOk(pipelineBody("g", "h", "[\"a\",\"b\",\"c\"]"));
        String four = "[\"a\",\"b\",\"c\",\"d\"]";
        for (Answer refused : List.of(
                assertChangesNothing(() -> pipeline(pipelineBody("g", "h", four))),
                assertChangesNothing(() -> cron(cronBody("g", "h", four))),
                assertChangesNothing(() -> post("api/status", legacyBody("g", "h", four))))) {
            assertError(refused, 413, "limit_exceeded", "maxChangedFiles");
        }
        assertEquals(3, row("g", "h").get("changed_files_count").intValue());
    }

    @Test
    void changedFileNamesLongerThanTheByteCapAre413CountedInUtf8() {
        // 20 bytes in all is the cap, counted in UTF-8, where "é" takes two: 6 of them and 8 "x" fill it.
        String twenty = "[" + q("é".repeat(6)) + "," + q("x".repeat(8)) + "]";
        assertEquals(2, pipelineOk(pipelineBody("g", "h", twenty)).get("record").get("changed_files_count")
                .intValue());
        String twentyOne = "[" + q("é".repeat(6)) + "," + q("x".repeat(9)) + "]";
        String elevenChars = "[" + q("é".repeat(11)) + "]"; // 11 characters, 22 bytes
        for (String files : List.of(twentyOne, elevenChars)) {
            assertError(assertChangesNothing(() -> pipeline(pipelineBody("g", "h", files))), 413, "limit_exceeded",
                    "maxChangedFilesBytes");
            assertError(assertChangesNothing(() -> cron(cronBody("g", "h", files))), 413, "limit_exceeded",
                    "maxChangedFilesBytes");
            assertError(assertChangesNothing(() -> post("api/status", legacyBody("g", "h", files))), 413,
                    "limit_exceeded", "maxChangedFilesBytes");
        }
        // Beyond the basic plane: four bytes a character, five fill the cap.
        pipelineOk(pipelineBody("g", "h", "[" + q("\uD83D\uDE00".repeat(5)) + "]"));
        assertError(assertChangesNothing(() -> pipeline(pipelineBody("g", "h", "[" + q("\uD83D\uDE00".repeat(5))
                + ",\"x\"]"))), 413, "limit_exceeded", "maxChangedFilesBytes");
        // The v1 shape {"name": ...} counts the same.
        assertError(assertChangesNothing(() -> post("api/status", legacyBody("g", "h",
                "[{\"name\":" + q("x".repeat(21)) + "}]"))), 413, "limit_exceeded", "maxChangedFilesBytes");
    }

    @Test
    void aMalformedListIsStill400BeforeAnyCap() {
        assertError(assertChangesNothing(() -> pipeline(pipelineBody("g", "h", "[\"a\",\"\"]"))), 400,
                "validation_failed", "changed_files");
        assertError(assertChangesNothing(() -> pipeline(pipelineBody("g", "h", "\"a\""))), 400,
                "validation_failed", "changed_files");
    }
}
