package io.gitops.status.resource;

import io.gitops.status.ContractFields;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.gitops.status.TestPostgres;
import io.gitops.status.api.StatusRecord;
import io.gitops.status.config.AppConfig;
import io.gitops.status.app.GitopsStatusApplication;
import io.gitops.status.json.Json;
import io.gitops.status.store.FileStatusStore;
import io.gitops.status.store.StatusStore;
import io.gitops.status.store.TestUpdates;
import io.gitops.status.store.postgres.PostgresStatusStore;
import jakarta.ws.rs.client.Entity;
import jakarta.ws.rs.core.Application;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.glassfish.jersey.test.JerseyTest;
import org.glassfish.jersey.test.TestProperties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the real {@link GitopsStatusApplication} in Jetty over a fresh, empty store per test, and
 * offers exact assertions on the JSON the API answers.
 *
 * <p>The store is the file store by default, or the PostgreSQL store with
 * {@code -D}{@value #STORE_PROPERTY}{@code =postgres}: then each test class has a database of its
 * own ({@link TestPostgres}), emptied before each test, and the application is given it with
 * {@link AppConfig#withDatabase}. Tests about the file store's files are {@link FileStoreOnly}.
 * Tests reach beneath the API through {@link #storeDirectly}, {@link #reopenStore} and
 * {@link #storedBytes}, which do the same on either store.
 *
 * <p>JerseyTest calls {@link #configure()} from its constructor, before instance fields are
 * injected, so the store folder is created there inside the class-wide {@code @TempDir}. With
 * JUnit 5 each test has its own instance, constructed once the previous test's application has
 * been shut down (its {@code tearDown}), so emptying the database there is safe.
 */
abstract class ApiTestSupport extends JerseyTest {

    /** Which store the API tests run on: {@code file} (the default) or {@code postgres}. */
    static final String STORE_PROPERTY = "gitops.test.store";

    /** Whether the tests run on the PostgreSQL store. */
    static boolean onPostgres() {
        String store = System.getProperty(STORE_PROPERTY, "file").strip();
        return switch (store) {
            case "", "file" -> false;
            case "postgres" -> true;
            default -> throw new IllegalStateException("-D" + STORE_PROPERTY + " must be file or postgres, not '"
                    + store + "'");
        };
    }

    /** How long configure() waits for the PostgreSQL store to load. */
    private static final long LOAD_MILLIS = 30_000;

    /** Each test class's database, created on its first test and dropped after its last. */
    private static final Map<Class<?>, TestPostgres.Database> DATABASES = new ConcurrentHashMap<>();

    /**
     * The application that configure() built and no container has started yet. A test skipped by
     * a condition ({@link FileStoreOnly} on a method) is constructed, so its store is opened, but
     * neither started nor shut down: the next configure() or the class's end closes that store.
     */
    private static GitopsStatusApplication unstarted;

    static final List<String> RECORD_FIELDS = ContractFields.RECORD;

    static final List<String> ROW_FIELDS = ContractFields.ROW;

    static final List<String> LEGACY_FIELDS = ContractFields.LEGACY;

    static final String UTC_SECONDS = "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z";

    @TempDir
    static Path root;

    /** The folder of this test's store; assigned in configure() (no initializer on purpose). */
    protected Path storeDir;
    /**
     * The data file of this test's store. On PostgreSQL it is set too (no store writes it): a test's
     * {@link #initialDataFile()} is written there and imported ({@code importFile}).
     */
    protected Path statusFile;
    /** The application under test, as configure() built it (no initializer on purpose). */
    protected GitopsStatusApplication application;
    /** Its settings. */
    protected AppConfig appConfig;

    @Override
    protected Application configure() {
        forceSet(TestProperties.CONTAINER_PORT, "0");
        closeUnstarted();
        byte[] initial;
        try {
            storeDir = Files.createTempDirectory(root, "store");
            statusFile = storeDir.resolve(dataFileName());
            initial = initialDataFile();
            if (initial != null) {
                Files.write(statusFile, initial);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        AppConfig config = config(AppConfig.forStatusFile(statusFile));
        if (onPostgres()) {
            emptyDatabase();
            AppConfig.Database settings = AppConfig.Database.at(database().jdbcUrl());
            config = config.withDatabase(initial == null ? settings : settings.withImportFile(statusFile));
        }
        appConfig = config;
        application = new GitopsStatusApplication(config);
        unstarted = application;
        if (onPostgres()) {
            awaitLoaded((PostgresStatusStore) application.store());
        }
        return application;
    }

    /**
     * The application's settings: the defaults with this test's data file. Override to change
     * them; {@link #storeDir} is set already, so a token file may be written there. On PostgreSQL
     * the database is added to what this returns.
     */
    protected AppConfig config(AppConfig defaults) {
        return defaults;
    }

    /** The data file's path inside the test's store folder. */
    protected String dataFileName() {
        return "status.json";
    }

    /**
     * The data file's content before the application starts ({@code null}: no file); on
     * PostgreSQL, the file the empty database imports at start.
     */
    protected byte[] initialDataFile() {
        return null;
    }

    @BeforeEach
    @Override
    public void setUp() throws Exception {
        super.setUp();
        unstarted = null; // the container shuts the application down, closing its store
    }

    @AfterEach
    @Override
    public void tearDown() throws Exception {
        super.tearDown();
    }

    /** After the class's last test: its database is dropped (a crashed run leaves it to TestPostgres' hook). */
    @AfterAll
    static void dropDatabase(TestInfo test) {
        closeUnstarted();
        TestPostgres.Database database = DATABASES.remove(test.getTestClass().orElseThrow());
        if (database != null) {
            database.drop();
        }
    }

    private static void closeUnstarted() {
        if (unstarted != null) {
            unstarted.store().close();
            unstarted = null;
        }
    }

    // ---- the store beneath the API -----------------------------------------------------------

    /** This test class's database (PostgreSQL only), created on first use. */
    protected TestPostgres.Database database() {
        return DATABASES.computeIfAbsent(getClass(), type -> TestPostgres.database(type.getSimpleName()));
    }

    /**
     * Empties this class's database for the next test: no host, no transition, no shared
     * document, revision 0, as a new database; the schema, once Flyway has made it (on the
     * class's first start), is kept.
     */
    private void emptyDatabase() {
        repairDatabase();
        try (Connection c = database().connect(); Statement s = c.createStatement()) {
            boolean schema;
            try (ResultSet r = s.executeQuery("SELECT to_regclass('store_state') IS NOT NULL")) {
                schema = r.next() && r.getBoolean(1);
            }
            if (schema) {
                // shared_documents: the notifier's state (outbox, watches) must not pass to the next test
                s.execute("TRUNCATE hosts, transitions, batches, shared_documents");
                s.execute("UPDATE store_state SET revision = 0, purged_through = 0");
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot empty the test database " + database(), e);
        }
    }

    /**
     * Makes the database unusable to the store (PostgreSQL only), as a broken database would be:
     * its state table is renamed away, so that every write and every catch-up fails. The next test
     * gets it back ({@link #repairDatabase()}).
     */
    void breakDatabase() {
        execute("ALTER TABLE store_state RENAME TO store_state_away");
    }

    /** Undoes {@link #breakDatabase()}, if it was broken. */
    void repairDatabase() {
        execute("ALTER TABLE IF EXISTS store_state_away RENAME TO store_state");
    }

    private void execute(String sql) {
        try (Connection c = database().connect(); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + " failed on the test database " + database(), e);
        }
    }

    /** Waits until {@code store} has loaded its records; closes it and fails when it does not. */
    static PostgresStatusStore awaitLoaded(PostgresStatusStore store) {
        try {
            if (!store.awaitLoaded(LOAD_MILLIS)) {
                String reason = store.readiness().reason();
                store.close();
                throw new IllegalStateException("the PostgreSQL store did not load within " + LOAD_MILLIS + " ms: "
                        + reason);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            store.close();
            throw new IllegalStateException("interrupted while the PostgreSQL store loaded", e);
        }
        return store;
    }

    /** The application's store. */
    protected StatusStore store() {
        return application.store();
    }

    /**
     * Writes records beneath the API exactly as given, history included, as another process would:
     * another file store on the data file, or another replica on the database (keeping every
     * transition given, whatever this application's history size), which this application's
     * store then catches up with, so that the next request sees them.
     */
    protected void storeDirectly(StatusRecord... records) {
        if (!onPostgres()) {
            TestUpdates.storeDirectly(statusFile, records);
            return;
        }
        try (PostgresStatusStore other = openPostgres(AppConfig.MAX_HISTORY_SIZE)) {
            for (StatusRecord record : records) {
                other.write(TestUpdates.storing(record));
            }
        }
        ((PostgresStatusStore) store()).refresh();
    }

    /**
     * Another store on this test's stored data, as after a restart or in a second process: a file
     * store on the data file, or a replica on the database, loaded. The caller closes it.
     */
    protected StatusStore reopenStore() {
        return reopenStore(appConfig.historySize());
    }

    /**
     * {@link #reopenStore()} keeping {@code historySize} transitions per host: the PostgreSQL store
     * trims them as it writes; the file store keeps what each write gives it.
     */
    protected StatusStore reopenStore(int historySize) {
        if (!onPostgres()) {
            return new FileStatusStore(statusFile);
        }
        return openPostgres(historySize);
    }

    /** A replica on this class's database with the default limits, as the file store's {@code new FileStatusStore(statusFile)}. */
    private PostgresStatusStore openPostgres(int historySize) {
        return awaitLoaded(new PostgresStatusStore(AppConfig.Database.at(database().jdbcUrl()),
                AppConfig.Limits.DEFAULTS.maxHosts(), historySize));
    }

    /**
     * What the store holds durably, as a data file: the data file itself (possibly not yet holding
     * the newest writes, which a journal keeps for a while), or on PostgreSQL the store's export,
     * read from the database. {@code null} when the file store has no data file.
     */
    byte[] storedBytes() {
        if (!onPostgres()) {
            return fileBytes();
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            store().export(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /**
     * Every row of the database's tables (PostgreSQL only), as text: for tests that look for what
     * must never be stored, wherever it might be.
     */
    String databaseText() {
        StringBuilder text = new StringBuilder();
        try (Connection c = database().connect(); Statement s = c.createStatement()) {
            for (String table : List.of("store_state", "hosts", "transitions")) {
                try (ResultSet r = s.executeQuery("SELECT t::text FROM " + table + " AS t")) {
                    while (r.next()) {
                        text.append(r.getString(1)).append('\n');
                    }
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the test database " + database(), e);
        }
        return text.toString();
    }

    /** {@link #storedBytes()} as text. */
    String storedText() {
        byte[] bytes = storedBytes();
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }

    /**
     * What the store holds durably once it satisfies {@code condition}: {@link #awaitDataFile} on
     * the file store, the export on PostgreSQL (where an acknowledged write is in the database).
     */
    byte[] awaitStored(java.util.function.Predicate<String> condition) {
        if (!onPostgres()) {
            return awaitDataFile(condition);
        }
        String text = storedText();
        assertTrue(condition.test(text), "the database does not hold the expected content: " + text);
        return text.getBytes(StandardCharsets.UTF_8);
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
     * Runs a write that must be refused, and checks it changed neither the stored data (the data
     * file, or the database through the export) nor GET /status.
     *
     * <p>A design with a journal may rewrite the data file in the background (compaction) at any
     * moment; such a rewrite is told apart from a change by the refused write: the file then holds
     * exactly the rows GET /status showed before and still shows after.
     */
    Answer assertChangesNothing(Supplier<Answer> write) {
        byte[] before = storedBytes();
        String listBefore = get("status").body();
        Answer a = write.get();
        assertTrue(a.status() >= 400, "write was not refused: " + a.status() + " " + a.body());
        byte[] after = storedBytes();
        assertEquals(listBefore, get("status").body(), "refused write changed GET /status");
        if (!Arrays.equals(before, after) && (onPostgres() || !holdsExactly(after, listBefore))) {
            fail("refused write changed the stored data:\n" + (before == null ? "<none>" : new String(before))
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
