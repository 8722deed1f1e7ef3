package io.gitops.status.resource;

import io.gitops.status.ContractFields;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.gitops.status.config.AppConfig;
import io.gitops.status.app.GitopsStatusApplication;
import io.gitops.status.json.Json;
import jakarta.ws.rs.client.Entity;
import jakarta.ws.rs.core.Application;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import org.glassfish.jersey.test.JerseyTest;
import org.glassfish.jersey.test.TestProperties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the real {@link GitopsStatusApplication} in Jetty over a fresh data file per test, and
 * offers exact assertions on the JSON the API answers.
 *
 * <p>JerseyTest calls {@link #configure()} from its constructor, before instance fields are
 * injected, so the store folder is created there inside the class-wide {@code @TempDir}.
 */
abstract class ApiTestSupport extends JerseyTest {

    static final List<String> RECORD_FIELDS = ContractFields.RECORD;

    static final List<String> ROW_FIELDS = ContractFields.ROW;

    static final List<String> LEGACY_FIELDS = ContractFields.LEGACY;

    static final String UTC_SECONDS = "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z";

    @TempDir
    static Path root;

    /** The folder of this test's store; assigned in configure() (no initializer on purpose). */
    protected Path storeDir;
    /** The data file of this test's store. */
    protected Path statusFile;

    @Override
    protected Application configure() {
        forceSet(TestProperties.CONTAINER_PORT, "0");
        try {
            storeDir = Files.createTempDirectory(root, "store");
            statusFile = storeDir.resolve(dataFileName());
            byte[] initial = initialDataFile();
            if (initial != null) {
                Files.write(statusFile, initial);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new GitopsStatusApplication(config(AppConfig.forStatusFile(statusFile)));
    }

    /**
     * The application's settings: the defaults with this test's data file. Override to change
     * them; {@link #storeDir} is set already, so a token file may be written there.
     */
    protected AppConfig config(AppConfig defaults) {
        return defaults;
    }

    /** The data file's path inside the test's store folder. */
    protected String dataFileName() {
        return "status.json";
    }

    /** The data file's content before the application starts; {@code null}: no file. */
    protected byte[] initialDataFile() {
        return null;
    }

    @BeforeEach
    @Override
    public void setUp() throws Exception {
        super.setUp();
    }

    @AfterEach
    @Override
    public void tearDown() throws Exception {
        super.tearDown();
    }

    // ---- requests -------------------------------------------------------------------------

    /** An answer read completely: status, headers of interest and the body text. */
    record Answer(int status, String body, String location, String cacheControl, String contentType,
            String allow) {

        JsonNode json() {
            try {
                return Json.mapper().readTree(body);
            } catch (IOException e) {
                throw new AssertionError("body is not JSON: " + body, e);
            }
        }
    }

    Answer answer(Response response) {
        try (response) {
            String body = response.hasEntity() ? response.readEntity(String.class) : "";
            return new Answer(response.getStatus(), body, response.getHeaderString("Location"),
                    response.getHeaderString("Cache-Control"), response.getHeaderString("Content-Type"),
                    response.getHeaderString("Allow"));
        }
    }

    Answer get(String path) {
        return answer(target(path).request().get());
    }

    Answer post(String path, String json) {
        return answer(target(path).request().post(Entity.entity(json, MediaType.APPLICATION_JSON)));
    }

    Answer post(String path, String body, String contentType) {
        return answer(target(path).request().post(Entity.entity(body, contentType)));
    }

    Answer pipeline(String json) {
        return post("status/pipeline", json);
    }

    Answer cron(String json) {
        return post("status/cron", json);
    }

    /** GET /status/{group}/{host}, which must exist: the row. */
    JsonNode row(String group, String host) {
        Answer a = get("status/" + group + "/" + host);
        assertEquals(200, a.status(), a.body());
        return a.json();
    }

    /** A pipeline write that must succeed; its response body. */
    JsonNode pipelineOk(String json) {
        Answer a = pipeline(json);
        assertEquals(200, a.status(), a.body());
        return a.json();
    }

    JsonNode cronOk(String json) {
        Answer a = cron(json);
        assertEquals(200, a.status(), a.body());
        return a.json();
    }

    // ---- assertions -----------------------------------------------------------------------

    static List<String> names(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    static List<String> texts(JsonNode array) {
        assertTrue(array.isArray(), "not an array: " + array);
        List<String> texts = new ArrayList<>();
        array.forEach(e -> texts.add(e.isTextual() ? e.textValue() : e.toString()));
        return texts;
    }

    /** The keys ({@code server_group/host}) of a list of rows, each checked for its shape. */
    static List<String> keys(JsonNode rows) {
        assertTrue(rows.isArray(), rows.toString());
        List<String> keys = new ArrayList<>();
        for (JsonNode row : rows) {
            assertRowShape(row);
            keys.add(row.get("server_group").textValue() + "/" + row.get("host").textValue());
        }
        return keys;
    }

    /** A row: every §1 field, in order, then last_seen, stale and written_by_token. */
    static void assertRowShape(JsonNode row) {
        assertTrue(row.isObject(), "row is not an object: " + row);
        assertEquals(ROW_FIELDS, names(row), "fields of " + row);
        assertTrue(row.get("stale").isBoolean(), "stale is a boolean");
        assertEquals(row.get("changed_files").size(), row.get("changed_files_count").intValue(),
                "changed_files_count is derived");
        assertTrue(row.get("changed_files_count").isInt(), "changed_files_count is an integer");
        assertTrue(row.get("labels").isObject(), "labels is an object");
        assertTrue(row.get("timestamp").isTextual(), "timestamp is set on every row");
    }

    /** A value of a row as text, {@code null} for JSON null; fails when the field is missing. */
    static String text(JsonNode row, String field) {
        JsonNode value = row.get(field);
        assertNotNull(value, "missing field " + field + " in " + row);
        if (value.isNull()) {
            return null;
        }
        assertTrue(value.isTextual(), field + " is not a string: " + value);
        return value.textValue();
    }

    /** The server's clock at write time: UTC to the second, within [before, after]. */
    static void assertServerTime(String value, Instant before, Instant after) {
        assertNotNull(value);
        assertTrue(value.matches(UTC_SECONDS), "not a UTC second timestamp: " + value);
        Instant t = Instant.parse(value);
        assertFalse(t.isBefore(before.minusSeconds(1)), value + " before " + before);
        assertFalse(t.isAfter(after.plusSeconds(1)), value + " after " + after);
    }

    /** An error answer: the status, {"error", "message"[, "field"]} and no internals. */
    static JsonNode assertError(Answer a, int status, String code, String field) {
        assertEquals(status, a.status(), a.body());
        assertNotNull(a.contentType(), "error without Content-Type");
        assertTrue(a.contentType().startsWith("application/json"), "error is not JSON: " + a.contentType());
        assertNoInternals(a.body());
        JsonNode body = a.json();
        assertTrue(body.isObject(), a.body());
        List<String> expected = field == null ? List.of("error", "message") : List.of("error", "message", "field");
        assertEquals(expected, names(body), a.body());
        assertEquals(code, body.get("error").textValue(), a.body());
        assertTrue(body.get("message").isTextual() && !body.get("message").textValue().isBlank(), a.body());
        if (field != null) {
            assertEquals(field, body.get("field").textValue(), a.body());
        }
        return body;
    }

    static void assertNoInternals(String body) {
        for (String marker : List.of("\tat ", "at io.gitops", "at java.", "at org.", "com.fasterxml.jackson",
                "org.glassfish", "<html", "<HTML", "Caused by")) {
            assertFalse(body.contains(marker), "body shows internals (" + marker + "): " + body);
        }
    }

    /** The data file's bytes, or {@code null} when there is none. */
    byte[] fileBytes() {
        try {
            return Files.exists(statusFile) ? Files.readAllBytes(statusFile) : null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The data file once it satisfies {@code condition}. The contract lets a design keep the newest
     * writes in a journal for up to 5 seconds, so this waits a little longer than that.
     */
    byte[] awaitDataFile(java.util.function.Predicate<String> condition) {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(7);
        while (true) {
            byte[] bytes = fileBytes();
            if (bytes != null && condition.test(new String(bytes, java.nio.charset.StandardCharsets.UTF_8))) {
                return bytes;
            }
            if (System.nanoTime() > deadline) {
                fail("data file never reached the expected content: "
                        + (bytes == null ? "<none>" : new String(bytes, java.nio.charset.StandardCharsets.UTF_8)));
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    /**
     * Runs a write that must be refused, and checks it changed neither the data file nor GET /status.
     *
     * <p>A design with a journal may rewrite the data file in the background (compaction) at any
     * moment; such a rewrite is told apart from a change by the refused write: the file then holds
     * exactly the rows GET /status showed before and still shows after.
     */
    Answer assertChangesNothing(Supplier<Answer> write) {
        byte[] before = fileBytes();
        String listBefore = get("status").body();
        Answer a = write.get();
        assertTrue(a.status() >= 400, "write was not refused: " + a.status() + " " + a.body());
        byte[] after = fileBytes();
        assertEquals(listBefore, get("status").body(), "refused write changed GET /status");
        if (!Arrays.equals(before, after) && !holdsExactly(after, listBefore)) {
            fail("refused write changed the data file:\n" + (before == null ? "<none>" : new String(before))
                    + "\n---\n" + (after == null ? "<deleted>" : new String(after)));
        }
        return a;
    }

    /** Whether a data file holds exactly the rows of a GET /status answer (derived count aside). */
    private static boolean holdsExactly(byte[] file, String list) {
        if (file == null) {
            return false;
        }
        try {
            JsonNode servers = Json.mapper().readTree(file).get("servers");
            JsonNode rows = Json.mapper().readTree(list);
            if (servers == null || servers.size() != rows.size()) {
                return false;
            }
            for (JsonNode row : rows) {
                com.fasterxml.jackson.databind.node.ObjectNode expected = row.deepCopy();
                expected.remove("changed_files_count");
                JsonNode stored = servers.get(row.get("server_group").textValue() + "/" + row.get("host").textValue());
                if (!expected.equals(stored)) {
                    return false;
                }
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static String q(String s) {
        return "\"" + s + "\"";
    }
}
