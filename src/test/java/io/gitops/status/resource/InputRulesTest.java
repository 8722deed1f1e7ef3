package io.gitops.status.resource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gitops.status.json.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Contract §2: the input rules of every write, and that a rejected write changes nothing. */
class InputRulesTest extends ApiTestSupport {

    static final List<String> WRITE_PATHS = List.of("status/pipeline", "status/cron", "api/status");

    private static String base(String extra) {
        return "{\"server_group\": \"g\", \"host\": \"h\", \"status\": \"synced\"" + extra + "}";
    }

    private JsonNode accepted(String extra) {
        return pipelineOk(base(extra)).get("record");
    }

    private void refused(String extra, String field) {
        assertError(assertChangesNothing(() -> pipeline(base(extra))), 400, "validation_failed", field);
    }

    /** Seeds one record so that refused writes have something they must not change. */
    private void seed() {
        pipelineOk("""
                {"server_group": "g", "host": "h", "status": "synced", "commit_sha": "seed"}""");
    }

    // ---- media type, size, JSON -----------------------------------------------------------

    @Test
    void nonJsonContentTypesAre415OnEveryWriteEndpoint() {
        seed();
        for (String path : WRITE_PATHS) {
            String json = "{\"server_group\":\"g\",\"host\":\"h\",\"status\":\"failed\",\"repo\":\"g\","
                    + "\"server\":\"h\",\"sync_status\":\"FAILED\"}";
            assertError(assertChangesNothing(() -> post(path, json, "text/plain")), 415,
                    "unsupported_media_type", null);
            assertError(assertChangesNothing(() -> post(path, "server_group=g&host=h&status=failed",
                    "application/x-www-form-urlencoded")), 415, "unsupported_media_type", null);
        }
    }

    @Test
    void aBodyWithoutContentTypeIs415() throws Exception {
        seed();
        HttpClient client = HttpClient.newHttpClient();
        for (String path : WRITE_PATHS) {
            String json = "{\"server_group\":\"g\",\"host\":\"h\",\"status\":\"failed\",\"repo\":\"g\","
                    + "\"server\":\"h\",\"sync_status\":\"FAILED\"}";
            assertError(assertChangesNothing(() -> {
                try {
                    HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(getBaseUri() + path))
                            .POST(HttpRequest.BodyPublishers.ofString(json)).build(),
                            HttpResponse.BodyHandlers.ofString());
                    return new Answer(r.statusCode(), r.body(), null, null,
                            r.headers().firstValue("Content-Type").orElse(null), null);
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            }), 415, "unsupported_media_type", null);
        }
    }

    @Test
    void jsonWithACharsetParameterIsAccepted() {
        Answer a = post("status/pipeline", base(""), "application/json; charset=utf-8");
        assertEquals(200, a.status(), a.body());
        assertEquals("created", a.json().get("result").textValue());
        a = post("status/cron", base(""), "application/json;charset=UTF-8");
        assertEquals(200, a.status(), a.body());
        a = post("api/status", "{\"repo\":\"g\",\"server\":\"h\",\"sync_status\":\"SYNCED\"}",
                "application/json; charset=utf-8");
        assertEquals(200, a.status(), a.body());
    }

    /** A valid pipeline body padded with whitespace to exactly {@code size} bytes. */
    private static String padded(String host, int size) {
        String head = "{\"server_group\":\"big\",\"host\":\"" + host + "\",\"status\":\"synced\"";
        String json = head + " ".repeat(size - head.length() - 1) + "}";
        assertEquals(size, json.getBytes(StandardCharsets.UTF_8).length);
        return json;
    }

    @Test
    void aBodyOverOneMebibyteIs413AndOneOfExactlyOneMebibyteIsAccepted() {
        seed();
        for (String path : List.of("status/pipeline", "status/cron")) {
            assertError(assertChangesNothing(() -> post(path, padded("h", 1_048_577))), 413,
                    "payload_too_large", null);
        }
        Answer a = pipeline(padded("exact", 1_048_576));
        assertEquals(200, a.status(), a.body());
        assertEquals("created", a.json().get("result").textValue());
        assertEquals("synced", text(row("big", "exact"), "status"));
        String legacy = "{\"repo\":\"big\",\"server\":\"legacy\",\"sync_status\":\"SYNCED\"";
        assertError(assertChangesNothing(() -> post("api/status",
                legacy + " ".repeat(1_048_577 - legacy.length() - 1) + "}")), 413, "payload_too_large", null);
    }

    @Test
    void malformedJsonIsInvalidJsonOnEveryWriteEndpoint() {
        seed();
        Map<String, String> bodies = new LinkedHashMap<>();
        bodies.put("malformed", "{\"server_group\": \"g\", \"host\": \"h\", \"status\": \"failed\"");
        bodies.put("garbage", "server_group=g");
        bodies.put("single quotes", "{'server_group': 'g', 'host': 'h', 'status': 'failed'}");
        bodies.put("trailing content", "{}{}");
        bodies.put("trailing object", base("") + "{\"server_group\": \"g\"}");
        bodies.put("trailing garbage", base("") + " x");
        bodies.put("duplicate keys", "{\"server_group\": \"g\", \"host\": \"h\", \"status\": \"failed\","
                + " \"status\": \"synced\", \"repo\": \"g\", \"server\": \"h\", \"sync_status\": \"FAILED\"}");
        bodies.put("nested duplicate keys", base(", \"labels\": {\"a\": \"1\", \"a\": \"2\"}"));
        bodies.put("top-level array", "[" + base("") + "]");
        bodies.put("top-level string", "\"synced\"");
        bodies.put("top-level number", "42");
        bodies.put("top-level null", "null");
        bodies.put("top-level true", "true");
        bodies.put("empty body", "");
        bodies.put("whitespace body", "  \n ");
        for (String path : WRITE_PATHS) {
            bodies.forEach((what, body) -> {
                Answer a = assertChangesNothing(() -> post(path, body));
                assertEquals(400, a.status(), path + " " + what + ": " + a.body());
                assertError(a, 400, "invalid_json", null);
            });
        }
    }

    // ---- server_group and host ------------------------------------------------------------

    @Test
    void identityFieldsAcceptOneTo253SafeCharacters() {
        for (String value : List.of("a", "9", "rsyslog-prod", "Host_1.example.com", "db:5432", "a".repeat(253),
                "A-._:z")) {
            JsonNode body = pipelineOk("{\"server_group\": " + q(value) + ", \"host\": " + q(value)
                    + ", \"status\": \"synced\"}");
            assertEquals(value, text(body.get("record"), "server_group"));
            assertEquals(value, text(body.get("record"), "host"));
            assertEquals(value + "/" + value, body.get("key").textValue());
            assertEquals(value, text(row(value, value), "host"));
        }
    }

    @Test
    void identityFieldsOutsideTheRulesAre400NamingTheField() {
        seed();
        List<String> bad = List.of("\"\"", q("a".repeat(254)), q("a/b"), q("a b"), q(" a"), q(".hidden"),
                q("-a"), q("_a"), q(":a"), q("a\\u0001b"), q("a\\tb"), q("a\\nb"), q("a\\n"), q("h\u00e9llo"),
                q("a?b"), q("a#b"), q("a%2Fb"), "5", "true", "[\"a\"]", "{\"a\": \"b\"}");
        for (String field : List.of("server_group", "host")) {
            for (String value : bad) {
                String body = field.equals("server_group")
                        ? "{\"server_group\": " + value + ", \"host\": \"h\", \"status\": \"failed\"}"
                        : "{\"server_group\": \"g\", \"host\": " + value + ", \"status\": \"failed\"}";
                Answer a = assertChangesNothing(() -> pipeline(body));
                assertEquals(400, a.status(), field + "=" + value + ": " + a.body());
                assertError(a, 400, "validation_failed", field);
                // The drift write applies the same rules.
                String cronBody = body.replace("\"status\": \"failed\"", "\"status\": \"synced\"");
                assertError(assertChangesNothing(() -> cron(cronBody)), 400, "validation_failed", field);
            }
            String missing = field.equals("server_group")
                    ? "{\"host\": \"h\", \"status\": \"failed\"}"
                    : "{\"server_group\": \"g\", \"status\": \"failed\"}";
            assertError(assertChangesNothing(() -> pipeline(missing)), 400, "validation_failed", field);
            String isNull = field.equals("server_group")
                    ? "{\"server_group\": null, \"host\": \"h\", \"status\": \"failed\"}"
                    : "{\"server_group\": \"g\", \"host\": null, \"status\": \"failed\"}";
            assertError(assertChangesNothing(() -> pipeline(isNull)), 400, "validation_failed", field);
        }
    }

    // ---- enumerations ---------------------------------------------------------------------

    @Test
    void enumerationsAreCaseFoldedAndStoredLowerCase() {
        Map<String, String> statuses = Map.of("SYNCED", "synced", "Out_Of_Sync", "out_of_sync", "FAILED", "failed",
                "Unknown", "unknown", "synced", "synced");
        statuses.forEach((given, stored) -> {
            JsonNode r = pipelineOk("{\"server_group\": \"g\", \"host\": \"h\", \"status\": " + q(given) + "}")
                    .get("record");
            assertEquals(stored, text(r, "status"), given);
            assertEquals(stored, text(row("g", "h"), "status"), given);
        });
        Map<String, String> validations = Map.of("Passed", "passed", "FAILED", "failed", "sKiPpEd", "skipped");
        validations.forEach((given, stored) -> {
            JsonNode r = accepted(", \"validation_status\": " + q(given));
            assertEquals(stored, text(r, "validation_status"), given);
            assertEquals(stored, text(row("g", "h"), "validation_status"), given);
        });
    }

    @Test
    void anyOtherEnumerationValueIs400NamingTheField() {
        seed();
        for (String value : List.of("\"in_sync\"", "\"synced \"", "\"out-of-sync\"", "\"ok\"", "1", "true")) {
            assertError(assertChangesNothing(() -> pipeline(
                    "{\"server_group\": \"g\", \"host\": \"h\", \"status\": " + value + "}")),
                    400, "validation_failed", "status");
            assertError(assertChangesNothing(() -> pipeline(base(", \"validation_status\": " + value))),
                    400, "validation_failed", "validation_status");
        }
        JsonNode error = assertError(assertChangesNothing(() -> pipeline(
                "{\"server_group\": \"g\", \"host\": \"h\", \"status\": \"green\"}")), 400, "validation_failed",
                "status");
        String message = error.get("message").textValue();
        for (String allowed : List.of("synced", "out_of_sync", "failed", "unknown")) {
            assertTrue(message.contains(allowed), message);
        }
    }

    // ---- timestamps -----------------------------------------------------------------------

    @Test
    void timestampsWithAnOffsetAreStoredInUtcKeepingTheFractionExactly() {
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("2026-04-26T10:30:00Z", "2026-04-26T10:30:00Z");
        cases.put("2026-04-26T13:30:00+03:00", "2026-04-26T10:30:00Z");
        cases.put("2026-04-26T13:30:00.5+03:00", "2026-04-26T10:30:00.5Z");
        cases.put("2026-04-26T10:30:00.500Z", "2026-04-26T10:30:00.500Z");
        cases.put("2026-04-26T10:30:00.123456789Z", "2026-04-26T10:30:00.123456789Z");
        cases.put("2026-04-26T05:00:00-05:30", "2026-04-26T10:30:00Z");
        cases.put("2026-04-26T01:30:00+03:00", "2026-04-25T22:30:00Z");
        cases.put("2026-12-31T23:30:00-01:00", "2027-01-01T00:30:00Z");
        cases.put("2026-04-26T10:30:00+00:00", "2026-04-26T10:30:00Z");
        cases.forEach((given, stored) -> {
            JsonNode r = accepted(", \"last_pipeline_run\": " + q(given));
            assertEquals(stored, text(r, "last_pipeline_run"), given);
            assertEquals(stored, text(row("g", "h"), "last_pipeline_run"), given);
        });
    }

    @Test
    void aTimestampWithoutZoneOrUnparseableIs400() {
        seed();
        for (String value : List.of("\"2026-04-26T10:30:00\"", "\"2026-04-26T10:30:00.5\"", "\"2026-04-26\"",
                "\"yesterday\"", "\"2026-02-30T10:00:00Z\"", "\"2026-04-26T25:00:00Z\"", "\"26/04/2026 10:30\"",
                "\"2026-04-26T10:30:00+25:00\"", "1777199400", "true", "[\"2026-04-26T10:30:00Z\"]",
                "{\"at\": \"2026-04-26T10:30:00Z\"}")) {
            Answer a = assertChangesNothing(() -> pipeline(base(", \"last_pipeline_run\": " + value)));
            assertEquals(400, a.status(), value + ": " + a.body());
            assertError(a, 400, "validation_failed", "last_pipeline_run");
        }
    }

    @Test
    void anEmptyTimestampCountsAsAbsentAndTheServerClockIsUsed() {
        Instant before = Instant.now();
        JsonNode r = accepted(", \"last_pipeline_run\": \"\"");
        assertServerTime(text(r, "last_pipeline_run"), before, Instant.now());
        r = accepted(", \"last_pipeline_run\": null");
        assertServerTime(text(r, "last_pipeline_run"), before, Instant.now());
    }

    // ---- optional strings -----------------------------------------------------------------

    static final List<String> OPTIONAL_STRINGS = List.of("project_name", "repo_name", "server_type", "environment",
            "validation_message", "commit_sha", "branch", "updated_by");

    @Test
    void emptyStringsAreStoredAsNull() {
        StringBuilder extra = new StringBuilder();
        for (String field : OPTIONAL_STRINGS) {
            extra.append(", ").append(q(field)).append(": \"\"");
        }
        extra.append(", \"validation_status\": \"\"");
        JsonNode r = accepted(extra.toString());
        assertRowShape(r);
        for (String field : OPTIONAL_STRINGS) {
            assertNull(text(r, field), field);
        }
        assertNull(text(r, "validation_status"));
        assertEquals(r, row("g", "h"));
    }

    @Test
    void numbersAndBooleansForStringFieldsAreStoredAsText() {
        JsonNode r = accepted(", \"commit_sha\": 1234567, \"branch\": true, \"environment\": 2,"
                + " \"project_name\": 1.5, \"validation_message\": false, \"updated_by\": -3, \"repo_name\": 0,"
                + " \"server_type\": false");
        assertEquals("1234567", text(r, "commit_sha"));
        assertEquals("true", text(r, "branch"));
        assertEquals("2", text(r, "environment"));
        assertEquals("1.5", text(r, "project_name"));
        assertEquals("false", text(r, "validation_message"));
        assertEquals("-3", text(r, "updated_by"));
        assertEquals("0", text(r, "repo_name"));
        assertEquals("false", text(r, "server_type"));
        assertEquals(r, row("g", "h"));
    }

    @Test
    void arraysAndObjectsForStringFieldsAre400NamingTheField() {
        seed();
        List<String> fields = new ArrayList<>(OPTIONAL_STRINGS);
        fields.addAll(List.of("validation_status", "last_pipeline_run"));
        for (String field : fields) {
            for (String value : List.of("[]", "[\"x\"]", "{}", "{\"x\": \"y\"}")) {
                Answer a = assertChangesNothing(() -> pipeline(base(", " + q(field) + ": " + value)));
                assertEquals(400, a.status(), field + "=" + value + ": " + a.body());
                assertError(a, 400, "validation_failed", field);
            }
        }
        assertError(assertChangesNothing(() -> pipeline(
                "{\"server_group\": \"g\", \"host\": \"h\", \"status\": {\"x\": 1}}")), 400, "validation_failed",
                "status");
    }

    @Test
    void stringsAreLimitedTo4096CharactersValidationMessageTo64KiB() {
        for (String field : List.of("project_name", "repo_name", "server_type", "environment", "commit_sha",
                "branch", "updated_by")) {
            JsonNode r = accepted(", " + q(field) + ": " + q("x".repeat(4096)));
            assertEquals(4096, text(r, field).length(), field);
            assertError(assertChangesNothing(() -> pipeline(base(", " + q(field) + ": " + q("y".repeat(4097))))),
                    400, "validation_failed", field);
        }
        JsonNode r = accepted(", \"validation_message\": " + q("m".repeat(65_536)));
        assertEquals(65_536, text(r, "validation_message").length());
        assertEquals(text(r, "validation_message"), text(row("g", "h"), "validation_message"));
        r = accepted(", \"validation_message\": " + q("line\\n".repeat(10_000)));
        assertEquals("line\n".repeat(10_000), text(r, "validation_message"));
        assertError(assertChangesNothing(() -> pipeline(base(", \"validation_message\": " + q("m".repeat(65_537))))),
                400, "validation_failed", "validation_message");
    }

    // ---- changed_files --------------------------------------------------------------------

    @Test
    void changedFilesAcceptStringsAndV1NameObjects() {
        JsonNode r = accepted(", \"changed_files\": [\"/etc/a.conf\", \"b.conf\"]");
        assertEquals(List.of("/etc/a.conf", "b.conf"), texts(r.get("changed_files")));
        assertEquals(2, r.get("changed_files_count").intValue());
        r = accepted(", \"changed_files\": [{\"name\": \"rsyslog.conf\"}, {\"name\": \"rsyslog.d/30-lab.conf\"}]");
        assertEquals(List.of("rsyslog.conf", "rsyslog.d/30-lab.conf"), texts(r.get("changed_files")));
        assertEquals(2, r.get("changed_files_count").intValue());
        assertEquals(r, row("g", "h"));
        r = accepted(", \"changed_files\": []");
        assertEquals(List.of(), texts(r.get("changed_files")));
        assertEquals(0, r.get("changed_files_count").intValue());
    }

    @Test
    void changedFilesLimits() {
        StringBuilder many = new StringBuilder("[");
        for (int i = 0; i < 10_000; i++) {
            many.append(i == 0 ? "" : ",").append("\"f").append(i).append('"');
        }
        JsonNode r = accepted(", \"changed_files\": " + many + "]");
        assertEquals(10_000, r.get("changed_files").size());
        assertEquals(10_000, r.get("changed_files_count").intValue());
        assertEquals(10_000, row("g", "h").get("changed_files_count").intValue());
        // The cap is a setting (maxChangedFiles, 10,000 by default): one body past it is too large.
        String tooMany = many + ",\"one-more\"]";
        assertError(assertChangesNothing(() -> pipeline(base(", \"changed_files\": " + tooMany))),
                413, "limit_exceeded", "maxChangedFiles");

        r = accepted(", \"changed_files\": [" + q("p".repeat(4096)) + "]");
        assertEquals(4096, texts(r.get("changed_files")).get(0).length());
        for (String bad : List.of("[" + q("p".repeat(4097)) + "]", "[{\"name\": " + q("p".repeat(4097)) + "}]",
                "[\"\"]", "[{\"name\": \"\"}]", "[\"a\", \"\"]", "[1]", "[null]", "[[\"a\"]]", "[{\"file\": \"a\"}]",
                "[{\"name\": 5}]", "\"a.conf\"", "{\"name\": \"a\"}", "7")) {
            Answer a = assertChangesNothing(() -> pipeline(base(", \"changed_files\": " + bad)));
            assertEquals(400, a.status(), bad + ": " + a.body());
            assertError(a, 400, "validation_failed", "changed_files");
        }
    }

    // ---- labels ---------------------------------------------------------------------------

    @Test
    void labelsAreStoredWhenValid() {
        ObjectNode labels = Json.mapper().createObjectNode();
        for (int i = 0; i < 32; i++) {
            labels.put("k" + i, "v" + i);
        }
        labels.remove("k0");
        labels.put("A-z_0.9", "x".repeat(256));
        JsonNode r = accepted(", \"labels\": " + labels);
        assertEquals(labels, r.get("labels"));
        assertEquals(labels, row("g", "h").get("labels"));
        String longKey = "k".repeat(63);
        r = accepted(", \"labels\": {" + q(longKey) + ": \"\"}");
        assertEquals("", r.get("labels").get(longKey).textValue());
        r = accepted(", \"labels\": {}");
        assertEquals(Json.mapper().createObjectNode(), r.get("labels"));
    }

    @Test
    void labelsOutsideTheRulesAre400() {
        seed();
        ObjectNode tooMany = Json.mapper().createObjectNode();
        for (int i = 0; i < 33; i++) {
            tooMany.put("k" + i, "v");
        }
        for (String bad : List.of(tooMany.toString(), "{\"bad key\": \"v\"}", "{\"\": \"v\"}",
                "{" + q("k".repeat(64)) + ": \"v\"}", "{\"a/b\": \"v\"}", "{\"caf\u00e9\": \"v\"}",
                "{\"k\": " + q("x".repeat(257)) + "}", "{\"k\": {\"x\": \"y\"}}", "{\"k\": [\"v\"]}",
                "[\"a\"]", "\"team=web\"")) {
            Answer a = assertChangesNothing(() -> pipeline(base(", \"labels\": " + bad)));
            assertEquals(400, a.status(), bad + ": " + a.body());
            assertError(a, 400, "validation_failed", "labels");
        }
    }

    // ---- a rejected write changes nothing ------------------------------------------------

    @Test
    void everyKindOfRejectedWriteLeavesFileAndReadsUnchanged() {
        pipelineOk(PipelineWriteTest.FULL);
        cronOk("{\"server_group\": \"nginx-prod\", \"host\": \"web-01\", \"last_cron_check\": \"2026-04-26T11:00:00Z\"}");
        byte[] file = awaitStored(s -> s.contains("2026-04-26T11:00:00Z"));
        // Rejections of a replace of the existing record: each one would have changed it.
        String replace = "{\"server_group\": \"nginx-prod\", \"host\": \"web-01\", \"status\": \"synced\"";
        assertError(assertChangesNothing(() -> pipeline(replace + ", \"labels\": [1]}")), 400,
                "validation_failed", "labels");
        assertError(assertChangesNothing(() -> pipeline(replace + ", \"status\": \"synced\"}")), 400,
                "invalid_json", null);
        assertError(assertChangesNothing(() -> post("status/pipeline", replace + "}", "text/plain")), 415,
                "unsupported_media_type", null);
        assertError(assertChangesNothing(() -> pipeline(replace + " ".repeat(1_048_576) + "}")), 413,
                "payload_too_large", null);
        assertError(assertChangesNothing(() -> cron(replace + ", \"changed_files\": [\"\"]}")), 400,
                "validation_failed", "changed_files");
        assertError(assertChangesNothing(() -> cron("{\"server_group\": \"nginx-prod\", \"host\": \"web-02\"}")),
                404, "not_found", null);
        assertError(assertChangesNothing(() -> post("api/status",
                "{\"repo\": \"nginx-prod\", \"server\": \"web-01\", \"sync_status\": \"DRIFTED\"}")), 400,
                "validation_failed", "sync_status");
        assertEquals(new String(file, StandardCharsets.UTF_8),
                new String(storedBytes(), StandardCharsets.UTF_8));
    }
}
