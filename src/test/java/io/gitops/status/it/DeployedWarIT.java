package io.gitops.status.it;

import io.gitops.status.ContractFields;
import io.gitops.status.SeedExamples;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gitops.status.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The built WAR, deployed at {@code /gitops-status} in a real servlet container, tested from the
 * outside over HTTP: every endpoint of the contract (shared/api-contract.md), the JSON errors the
 * application and the container raise inside our context, where the data files go, and that the
 * data survives a restart of the container and a redeploy of the WAR.
 *
 * <p>Failsafe runs this class once per container (system property {@code it.container}: tomcat10x,
 * tomcat11x, jetty12x; see pom.xml), one container for the whole class. The methods build on each
 * other's records, in {@link Order}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DeployedWarIT {

    static final List<String> RECORD_FIELDS = ContractFields.RECORD;

    static final List<String> LEGACY_FIELDS = ContractFields.LEGACY;

    /** The files the store may keep in its folder (contract §7, README "Storage"). */
    static final Set<String> STORE_FILES = Set.of("status.json", "status.json.lock", "status.json.journal");

    /** The contract's limit on request bodies. */
    static final int MAX_BODY = 1024 * 1024;

    /** The contract lets a journal hold writes for 5 s after they stop; the IT allows 10. */
    static final Duration DATA_FILE_DEADLINE = Duration.ofSeconds(10);

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private CargoContainer c;
    private Instant itStart;
    /** The newest response record per key, as the writes answered them. */
    private final Map<String, JsonNode> written = new TreeMap<>();

    @BeforeAll
    void startContainer() throws Exception {
        itStart = Instant.now().minusSeconds(1);
        c = CargoContainer.fromSystemProperties();
        timed("start, application ready", c::start);
    }

    @AfterAll
    void stopContainer() {
        if (c != null && c.isStarted()) {
            timed("stop", c::stop);
        }
    }

    // ---- §6 service endpoints ---------------------------------------------------------------

    @Test
    @Order(1)
    void serviceEndpointsAndTheConfiguredDataFile() {
        Answer root = get("/");
        assertOkJson(root);
        JsonNode info = root.json();
        assertEquals(List.of("name", "version", "endpoints"), names(info), root.body());
        assertEquals("gitops-status-api", info.get("name").textValue());
        assertEquals(System.getProperty("it.version"), info.get("version").textValue(), "version of the build");
        List<String> endpoints = texts(info.get("endpoints"));
        for (String endpoint : List.of("POST /status/pipeline", "POST /status/cron", "GET /status",
                "GET /status/{server_group}", "GET /status/{server_group}/{host}", "POST /api/status",
                "GET /api/status", "GET /status.json", "GET /health", "GET /ready")) {
            assertTrue(endpoints.contains(endpoint), "GET / does not list " + endpoint + ": " + endpoints);
        }

        Answer health = get("/health");
        assertOkJson(health);
        assertEquals(json("{\"status\": \"up\"}"), health.json());

        assertReady(0);

        // The effective path is logged at start-up, and it came from the descriptor's parameter
        // (the container's -Dgitops.status.file names a decoy).
        List<String> starts = c.appStarts();
        assertEquals(1, starts.size(), "one start of the application so far: " + starts);
        assertTrue(starts.get(0).endsWith("data file " + c.statusFile() + " (from context parameter statusFile)"),
                starts.get(0));
    }

    // ---- §3 writes ----------------------------------------------------------------------------

    @Test
    @Order(2)
    void pipelineCreatesTheRecord() throws IOException {
        Instant before = Instant.now();
        Answer a = send("POST", "/status/pipeline", "application/json; charset=UTF-8", """
                {
                  "project_name": "gitops-for-servers",
                  "repo_name": "nginx",
                  "server_group": "it-web",
                  "server_type": "nginx",
                  "environment": "prod",
                  "host": "web-01",
                  "status": "SYNCED",
                  "changed_files": [],
                  "validation_status": "passed",
                  "validation_message": "nginx -t passed",
                  "commit_sha": "abc1234567890",
                  "branch": "master",
                  "updated_by": "woodpecker",
                  "labels": {"team": "web", "tier": "edge"},
                  "last_pipeline_run": "2026-04-26T13:30:00+03:00",
                  "build_url": "https://ci.example/builds/42"
                }""");
        JsonNode record = assertWrite(a, "created", "it-web/web-01", List.of("build_url"), before);
        assertEquals(expectedRecord("""
                {"server_group": "it-web", "host": "web-01", "project_name": "gitops-for-servers",
                 "repo_name": "nginx", "server_type": "nginx", "environment": "prod", "status": "synced",
                 "changed_files": [], "changed_files_count": 0, "validation_status": "passed",
                 "validation_message": "nginx -t passed", "commit_sha": "abc1234567890", "branch": "master",
                 "updated_by": "woodpecker", "labels": {"team": "web", "tier": "edge"},
                 "last_pipeline_run": "2026-04-26T10:30:00Z", "last_cron_check": null}""", record), record);

        String location = a.header("Location");
        assertNotNull(location, "a created record's response carries Location");
        assertTrue(location.endsWith("/gitops-status/status/it-web/web-01"), "Location: " + location);
        Answer byLocation = send("GET", URI.create(c.baseUrl() + "/").resolve(location), null, null);
        assertOkJson(byLocation);
        assertEquals(record, byLocation.json());

        // A 2xx is sent once the write is on disk, under the configured folder, with its lock file.
        assertTrue(Files.isRegularFile(c.dataDir().resolve("status.json.lock")),
                "no status.json.lock in " + c.dataDir() + ": " + list(c.dataDir()));
    }

    @Test
    @Order(3)
    void cronChangesOnlyTheDriftFields() {
        JsonNode before = written.get("it-web/web-01");
        Instant t0 = Instant.now();
        Answer a = post("/status/cron", """
                {"server_group": "it-web", "host": "web-01", "status": "out_of_sync",
                 "changed_files": ["/etc/nginx/nginx.conf"], "last_cron_check": "2026-04-26T11:00:00Z",
                 "commit_sha": "ffffff0"}""");
        JsonNode record = assertWrite(a, "updated", "it-web/web-01", List.of("commit_sha"), t0);
        ObjectNode expected = before.deepCopy();
        expected.put("status", "out_of_sync");
        expected.set("changed_files", json("[\"/etc/nginx/nginx.conf\"]"));
        expected.put("changed_files_count", 1);
        expected.put("last_cron_check", "2026-04-26T11:00:00Z");
        expected.put("timestamp", record.get("timestamp").textValue());
        assertEquals(expected, record, "cron changes status, files, check time and timestamp only");

        String absent = "{\"server_group\": \"it-web\", \"host\": \"web-99\", \"status\": \"synced\"}";
        assertError(post("/status/cron", absent), 404, "not_found");
        assertError(get("/status/it-web/web-99"), 404, "not_found");
    }

    @Test
    @Order(4)
    void pipelineReplacesThePipelineFieldsAndKeepsTheCronCheck() {
        Instant t0 = Instant.now();
        Answer a = post("/status/pipeline", """
                {"server_group": "it-web", "host": "web-01", "environment": "prod", "status": "out_of_sync",
                 "changed_files": [{"name": "nginx.conf"}, "sites-enabled/default"],
                 "commit_sha": "def4567", "updated_by": "jenkins"}""");
        JsonNode record = assertWrite(a, "updated", "it-web/web-01", List.of(), t0);
        assertServerTime(record.get("last_pipeline_run").textValue(), t0);
        assertEquals(expectedRecord("""
                {"server_group": "it-web", "host": "web-01", "project_name": null, "repo_name": null,
                 "server_type": null, "environment": "prod", "status": "out_of_sync",
                 "changed_files": ["nginx.conf", "sites-enabled/default"], "changed_files_count": 2,
                 "validation_status": null, "validation_message": null, "commit_sha": "def4567",
                 "branch": null, "updated_by": "jenkins", "labels": {},
                 "last_pipeline_run": "%s", "last_cron_check": "2026-04-26T11:00:00Z"}"""
                .formatted(record.get("last_pipeline_run").textValue()), record), record);

        assertWrite(post("/status/pipeline", """
                {"server_group": "it-web", "host": "web-02", "environment": "staging", "status": "failed",
                 "validation_status": "FAILED", "validation_message": "nginx: [emerg] unknown directive"}"""),
                "created", "it-web/web-02", List.of(), t0);
        assertWrite(post("/status/pipeline", """
                {"server_group": "it-db", "host": "db-01", "server_type": "postgres", "environment": "prod",
                 "status": "failed", "last_pipeline_run": "2026-04-26T09:00:00.250Z"}"""),
                "created", "it-db/db-01", List.of(), t0);
        assertEquals("2026-04-26T09:00:00.250Z", written.get("it-db/db-01").get("last_pipeline_run").textValue(),
                "fractional seconds are kept as given");
    }

    // ---- §4 reads -----------------------------------------------------------------------------

    @Test
    @Order(5)
    void readsListFilterAndFindRecords() {
        List<JsonNode> all = List.of(written.get("it-db/db-01"), written.get("it-web/web-01"),
                written.get("it-web/web-02"));
        assertRows(all, get("/status"));
        assertRows(all, get("/status?_=1714125600"));
        assertRows(List.of(written.get("it-db/db-01"), written.get("it-web/web-01")),
                get("/status?environment=prod&status=failed&status=OUT_OF_SYNC"));
        assertRows(List.of(written.get("it-web/web-02")), get("/status?server_group=it-web&validation_status=failed"));
        assertRows(List.of(), get("/status?environment=dev"));

        Answer unknown = get("/status?environment=prod&colour=red");
        assertEquals("colour", assertError(unknown, 400, "unknown_parameter").get("field").textValue());

        assertRows(List.of(written.get("it-web/web-01"), written.get("it-web/web-02")), get("/status/it-web"));
        assertRows(List.of(), get("/status/no-such-group"));

        Answer one = get("/status/it-web/web-02");
        assertOkJson(one);
        assertEquals("no-cache", one.header("Cache-Control"));
        assertRowShape(one.json());
        assertEquals(written.get("it-web/web-02"), one.json());
        assertError(get("/status/it-web/no-such-host"), 404, "not_found");
    }

    // ---- §5 legacy v1 -------------------------------------------------------------------------

    @Test
    @Order(6)
    void legacyV1PayloadsOfTheRsyslogIntegration() {
        Instant t0 = Instant.now();
        JsonNode synced = assertWrite(post("/api/status", SeedExamples.V1_SYNCED), "created", "rsyslog/rsyslog-lab", List.of(), t0);
        assertEquals(expectedRecord("""
                {"server_group": "rsyslog", "host": "rsyslog-lab", "project_name": null, "repo_name": "rsyslog",
                 "server_type": null, "environment": null, "status": "synced", "changed_files": [],
                 "changed_files_count": 0, "validation_status": null, "validation_message": null,
                 "commit_sha": null, "branch": null, "updated_by": "legacy-api", "labels": {},
                 "last_pipeline_run": null, "last_cron_check": "2026-04-21T10:30:00Z"}""", synced), synced);

        JsonNode drift = assertWrite(post("/api/status", SeedExamples.V1_DRIFT), "updated", "rsyslog/rsyslog-lab", List.of(), t0);
        ObjectNode expected = synced.deepCopy();
        expected.put("status", "out_of_sync");
        expected.set("changed_files", json("[\"rsyslog.conf\", \"rsyslog.d/30-lab.conf\"]"));
        expected.put("changed_files_count", 2);
        expected.put("last_cron_check", "2026-04-21T10:32:15Z");
        expected.put("timestamp", drift.get("timestamp").textValue());
        assertEquals(expected, drift);

        JsonNode expectedV1 = v1Objects(get("/status").json());
        for (String path : List.of("/api/status", "/status.json")) {
            Answer a = get(path);
            assertOkJson(a);
            assertEquals("no-cache", a.header("Cache-Control"), path);
            JsonNode objects = a.json();
            assertTrue(objects.isArray(), path + ": " + a.body());
            objects.forEach(o -> assertEquals(LEGACY_FIELDS, names(o), path + ": " + o));
            assertEquals(expectedV1, objects, path);
            assertEquals(json("""
                    {"repo": "rsyslog", "server": "rsyslog-lab", "sync_status": "OUT_OF_SYNC", "drift_count": 2,
                     "files": [{"name": "rsyslog.conf"}, {"name": "rsyslog.d/30-lab.conf"}],
                     "last_check": "2026-04-21T10:32:15Z"}"""), find(objects, "rsyslog-lab"), path);
            assertEquals(json("""
                    {"repo": "it-db", "server": "db-01", "sync_status": "FAILED", "drift_count": 0, "files": [],
                     "last_check": "2026-04-26T09:00:00.250Z"}"""), find(objects, "db-01"),
                    path + ": repo falls back to the group, last_check to last_pipeline_run");
        }
    }

    // ---- §8 errors ----------------------------------------------------------------------------

    @Test
    @Order(7)
    void everyErrorInsideTheContextIsOurJson() {
        // The limit is exactly 1 MiB: a body of 1 MiB is accepted.
        Instant t0 = Instant.now();
        assertWrite(post("/status/pipeline", padded("{\"server_group\": \"it-limits\", \"host\": \"body-1mib\","
                + " \"status\": \"synced\"", MAX_BODY)), "created", "it-limits/body-1mib", List.of(), t0);

        String rowsBefore = get("/status").body();
        String valid = "{\"server_group\": \"it-web\", \"host\": \"web-03\", \"status\": \"synced\"}";
        String json = "application/json";

        // Unknown paths, GET and POST, and the error page's own path.
        assertError(get("/no/such/path"), 404, "not_found");
        assertError(refused("POST", "/no/such/path", json, valid), 404, "not_found");
        assertError(get("/error"), 404, "not_found");

        // Wrong methods.
        assertAllows(assertErrorAnswer(send("DELETE", "/status", null, null), 405, "method_not_allowed"), "GET");
        assertAllows(assertErrorAnswer(refused("PUT", "/status", json, valid), 405, "method_not_allowed"), "GET");
        assertAllows(assertErrorAnswer(refused("POST", "/health", json, valid), 405, "method_not_allowed"), "GET");
        assertAllows(assertErrorAnswer(send("POST", "/health", null, null), 405, "method_not_allowed"), "GET");

        // Bodies.
        assertError(refused("POST", "/status/pipeline", json, padded("{\"server_group\": \"it-web\","
                + " \"host\": \"web-03\", \"status\": \"synced\"", MAX_BODY + 1)), 413, "payload_too_large");
        assertError(refused("POST", "/status/pipeline", "text/plain", valid), 415, "unsupported_media_type");
        assertError(refused("POST", "/api/status", "text/plain", SeedExamples.V1_SYNCED), 415, "unsupported_media_type");
        assertError(refused("POST", "/status/pipeline", json, "{\"server_group\": \"it-web\", \"host\": "),
                400, "invalid_json");
        assertError(refused("POST", "/status/cron", json, "{\"server_group\": \"it-web\"} trailing"),
                400, "invalid_json");
        JsonNode invalid = assertError(refused("POST", "/status/pipeline", json,
                "{\"server_group\": \"it-web\", \"host\": \"web-03\", \"status\": \"green\"}"),
                400, "validation_failed");
        assertEquals("status", invalid.get("field").textValue(), invalid.toString());

        assertEquals(rowsBefore, get("/status").body(), "a refused write changes nothing");
        assertError(get("/status/it-web/web-03"), 404, "not_found");
    }

    @Test
    @Order(8)
    void pathsTheContainerRefusesItselfAreOurJsonToo() {
        // The container guards WEB-INF and META-INF before any servlet sees the request: only
        // web.xml's error page makes these 404s our JSON. Asked on the client's keep-alive
        // connection, as Grafana and Java clients ask.
        for (String path : List.of("/WEB-INF/web.xml", "/META-INF/MANIFEST.MF")) {
            Answer a = get(path);
            if (c.id().startsWith("jetty") && a.body().isEmpty()) {
                // Known Jetty 12.0 limitation (README, "Deploying"): on a reused connection Jetty
                // answers its protected targets itself, with an empty JSON-typed 404. Never HTML,
                // never the file.
                assertEquals(404, a.status(), a.request());
                assertTrue(a.header("Content-Type").startsWith("application/json"), a.request());
            } else {
                assertError(a, 404, "not_found");
            }
        }
    }

    // ---- §7 storage: where the files go ------------------------------------------------------

    @Test
    @Order(9)
    void theDataFilesAreWhereTheContextParameterSays() throws IOException {
        List<JsonNode> rows = rows(get("/status"));
        assertEquals(written.keySet(), keys(rows));
        awaitDataFile(rows);

        List<String> files = list(c.dataDir());
        assertTrue(files.contains("status.json") && files.contains("status.json.lock"), files.toString());
        assertTrue(STORE_FILES.containsAll(files), "unexpected files in " + c.dataDir() + ": " + files);
        assertNothingWrittenElsewhere();
    }

    // ---- surviving a restart and a redeploy ---------------------------------------------------

    @Test
    @Order(10)
    void dataSurvivesARestartOfTheContainer() throws IOException {
        Answer before = get("/status");
        List<JsonNode> rows = rows(before);

        timed("stop", c::stop);
        assertDataFileHolds(rows, readDataFile()); // written at shutdown, no waiting
        timed("start, application ready", c::start);

        assertEquals(before.json(), get("/status").json(), "records before and after the restart");
        assertReady(rows.size());
        assertEquals(2, c.appStarts().size());
        assertNothingWrittenElsewhere();
    }

    @Test
    @Order(11)
    void dataSurvivesARedeployOfTheWar() throws IOException {
        Answer before = get("/status");
        int starts = c.appStarts().size();

        timed("redeploy, application ready", c::redeploy);

        assertEquals(starts + 1, c.appStarts().size(), "the application was deployed again");
        assertTrue(Files.isRegularFile(c.deployedDescriptor()), "the redeploy kept " + c.deployedDescriptor());
        assertEquals(before.json(), get("/status").json(), "records before and after the redeploy");
        assertReady(before.json().size());

        // The new instance writes: the old one released the store's lock when it stopped.
        Instant t0 = Instant.now();
        assertWrite(post("/status/cron", "{\"server_group\": \"it-db\", \"host\": \"db-01\", \"status\": \"synced\"}"),
                "updated", "it-db/db-01", List.of(), t0);
        awaitDataFile(rows(get("/status")));
        assertNothingWrittenElsewhere();
    }

    // ---- the seed README's curl examples, once -------------------------------------------------

    @Test
    @Order(12)
    void seedReadmeExamplesScript() throws Exception {
        assumeTrue("tomcat10x".equals(c.id()), "the curl script runs against Tomcat 10.1 only");
        Path script = Path.of(System.getProperty("it.seedScript"));
        Process process = new ProcessBuilder("bash", script.toString(), c.baseUrl())
                .redirectErrorStream(true)
                .start();
        CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail(script + " did not finish within 120 s");
        }
        String text = output.get(10, TimeUnit.SECONDS);
        System.out.println("[" + c.id() + "] " + script.getFileName() + " " + c.baseUrl() + "\n" + text);
        assertEquals(0, process.exitValue(), "exit code of " + script + "; output:\n" + text);
        assertTrue(text.lines().anyMatch(l -> l.matches("seed examples: [1-9]\\d* passed, 0 failed")), text);
    }

    // ---- HTTP -------------------------------------------------------------------------------------

    /** A response read completely. */
    record Answer(String request, int status, HttpHeaders headers, String body) {

        String header(String name) {
            return headers.firstValue(name).orElse(null);
        }

        JsonNode json() {
            try {
                return Json.mapper().readTree(body);
            } catch (IOException e) {
                throw new AssertionError(request + ": body is not JSON (" + status + "): " + abbreviate(body), e);
            }
        }
    }

    private Answer get(String path) {
        return send("GET", path, null, null);
    }

    /**
     * A request whose body the server may refuse without reading it, sent on a connection of its
     * own. Jetty closes the connection after such an answer when the rest of the body has not
     * arrived yet, without saying so; a client that reuses the connection then loses its next
     * request (the JDK client retries only idempotent ones). That is a matter of the connection,
     * not of the answer under test, which is asserted in full.
     */
    private Answer refused(String method, String path, String contentType, String body) {
        HttpClient fresh = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        return send(fresh, method, URI.create(c.baseUrl() + path), contentType, body);
    }

    private Answer post(String path, String json) {
        return send("POST", path, "application/json", json);
    }

    private Answer send(String method, String path, String contentType, String body) {
        return send(method, URI.create(c.baseUrl() + path), contentType, body);
    }

    private Answer send(String method, URI uri, String contentType, String body) {
        return send(http, method, uri, contentType, body);
    }

    private static Answer send(HttpClient client, String method, URI uri, String contentType, String body) {
        BodyPublisher publisher = body == null ? BodyPublishers.noBody() : BodyPublishers.ofString(body);
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                .method(method, publisher);
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        String what = method + " " + uri;
        try {
            HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(what, response.statusCode(), response.headers(), response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(what, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(what, e);
        }
    }

    // ---- assertions -------------------------------------------------------------------------------

    private static void assertOkJson(Answer a) {
        assertEquals(200, a.status(), a.request() + ": " + abbreviate(a.body()));
        String type = a.header("Content-Type");
        assertTrue(type != null && type.startsWith("application/json"), a.request() + ": Content-Type " + type);
    }

    /** A 200 write answer (§3): result, key, full record, ignored fields; the record is remembered. */
    private JsonNode assertWrite(Answer a, String result, String key, List<String> ignored, Instant notBefore) {
        assertOkJson(a);
        JsonNode body = a.json();
        assertEquals(List.of("result", "key", "record", "ignored_fields"), names(body), a.body());
        assertEquals(result, body.get("result").textValue(), a.body());
        assertEquals(key, body.get("key").textValue(), a.body());
        assertEquals(ignored, texts(body.get("ignored_fields")), a.body());
        JsonNode record = body.get("record");
        assertRowShape(record);
        assertEquals(key, key(record));
        assertServerTime(record.get("timestamp").textValue(), notBefore);
        written.put(key, record);
        return record;
    }

    /** The expected row: the given §1 fields in order, with the server's timestamp from the answer. */
    private static ObjectNode expectedRecord(String fieldsButTimestamp, JsonNode actual) {
        ObjectNode expected = (ObjectNode) json(fieldsButTimestamp);
        expected.put("timestamp", actual.get("timestamp").textValue());
        assertEquals(RECORD_FIELDS, names(expected), "test data");
        return expected;
    }

    /** A row: every §1 field in order (later features may append after them), count derived. */
    private static void assertRowShape(JsonNode row) {
        assertTrue(row.isObject(), "row is not an object: " + row);
        List<String> names = names(row);
        assertTrue(names.size() >= RECORD_FIELDS.size(), "row lacks fields: " + names);
        assertEquals(RECORD_FIELDS, names.subList(0, RECORD_FIELDS.size()), "field order of " + row);
        assertEquals(row.get("changed_files").size(), row.get("changed_files_count").intValue(), row.toString());
        assertTrue(row.get("labels").isObject(), row.toString());
    }

    /** A 200 list answer holding exactly {@code expected}, in order, every row well-formed. */
    private static void assertRows(List<JsonNode> expected, Answer a) {
        assertOkJson(a);
        assertEquals("no-cache", a.header("Cache-Control"), a.request());
        JsonNode rows = a.json();
        assertTrue(rows.isArray(), a.request() + ": " + abbreviate(a.body()));
        rows.forEach(DeployedWarIT::assertRowShape);
        assertEquals(expected, rows(a), a.request());
    }

    private static JsonNode assertError(Answer a, int status, String code) {
        return assertErrorAnswer(a, status, code).json();
    }

    /**
     * Our JSON error (§8), never the container's HTML page: the status, Content-Type
     * application/json, {"error", "message"[, "field"]}, no internals.
     */
    private static Answer assertErrorAnswer(Answer a, int status, String code) {
        String context = a.request() + " -> " + a.status() + " " + a.headers().map() + " " + abbreviate(a.body());
        assertEquals(status, a.status(), context);
        String type = a.header("Content-Type");
        assertTrue(type != null && type.startsWith("application/json"), "not our JSON error: " + context);
        assertFalse(a.body().isBlank(), "error without a body: " + context);
        for (String marker : List.of("<html", "<HTML", "<!doctype", "\tat ", "Exception", "Caused by")) {
            assertFalse(a.body().contains(marker), "body shows " + marker + ": " + context);
        }
        JsonNode body = a.json();
        assertTrue(body.isObject(), context);
        List<String> names = names(body);
        assertTrue(names.equals(List.of("error", "message")) || names.equals(List.of("error", "message", "field")),
                context);
        assertEquals(code, body.get("error").textValue(), context);
        assertFalse(body.get("message").asText().isBlank(), context);
        return a;
    }

    private static void assertAllows(Answer a, String method) {
        String allow = a.header("Allow");
        assertNotNull(allow, a.request() + ": 405 without Allow");
        assertTrue(List.of(allow.split("\\s*,\\s*")).contains(method), a.request() + ": Allow " + allow);
    }

    private void assertReady(int servers) {
        Answer ready = get("/ready");
        assertOkJson(ready);
        assertEquals(json("{\"status\": \"ready\", \"store\": {\"path\": \"%s\", \"servers\": %d}}"
                .formatted(c.statusFile(), servers)), ready.json(), "the store is the descriptor's statusFile");
    }

    /** The server's clock at write time: UTC to the second, between {@code notBefore} and now. */
    private static void assertServerTime(String value, Instant notBefore) {
        assertNotNull(value, "no server time");
        assertTrue(value.matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z"), "not a UTC timestamp: " + value);
        Instant t = Instant.parse(value);
        assertFalse(t.isBefore(notBefore.minusSeconds(1)), value + " is before " + notBefore);
        assertFalse(t.isAfter(Instant.now().plusSeconds(1)), value + " is in the future");
    }

    // ---- the data files -------------------------------------------------------------------------

    /** Polls until the data file holds exactly {@code rows}; the store may keep a journal meanwhile. */
    private void awaitDataFile(List<JsonNode> rows) {
        long deadline = System.nanoTime() + DATA_FILE_DEADLINE.toNanos();
        JsonNode file = null;
        while (System.nanoTime() < deadline) {
            file = readDataFile();
            if (file != null && holds(rows, file)) {
                return;
            }
            CargoContainer.pause(Duration.ofMillis(100));
        }
        assertDataFileHolds(rows, file);
    }

    /** The data file's content, {@code null} when there is none. */
    private JsonNode readDataFile() {
        Path file = c.statusFile();
        try {
            return Files.exists(file) ? Json.mapper().readTree(file.toFile()) : null;
        } catch (IOException e) {
            throw new AssertionError(file + " is not a complete JSON file", e);
        }
    }

    /** §7: {"version": "2.0", "servers": {"group/host": row without changed_files_count}}. */
    private void assertDataFileHolds(List<JsonNode> rows, JsonNode file) {
        assertNotNull(file, "no data file at " + c.statusFile() + "; folder holds " + list(c.dataDir()));
        assertEquals("2.0", file.path("version").asText(), file.toString());
        assertEquals(storedServers(rows), file.get("servers"), c.statusFile() + " does not hold the records");
    }

    private static boolean holds(List<JsonNode> rows, JsonNode file) {
        return "2.0".equals(file.path("version").asText()) && storedServers(rows).equals(file.get("servers"));
    }

    /** The data file's {@code servers} object for these rows: each row but its derived count, by key. */
    private static ObjectNode storedServers(List<JsonNode> rows) {
        ObjectNode servers = Json.mapper().createObjectNode();
        for (JsonNode row : rows) {
            ObjectNode stored = row.deepCopy();
            stored.remove("changed_files_count");
            servers.set(key(row), stored);
        }
        return servers;
    }

    /**
     * No store file anywhere but the configured folder: not in the system property's decoy folder,
     * anywhere else in the container's work folder (its base, which is the JVM's working directory,
     * and its temp folder), in the container's home, nor in /data (the default).
     */
    private void assertNothingWrittenElsewhere() throws IOException {
        assertFalse(Files.exists(c.decoyStatusFile().getParent()),
                "the system property's data folder was used: " + c.decoyStatusFile().getParent());
        List<Path> strays = new ArrayList<>();
        for (Path root : List.of(c.workDir(), c.home())) {
            try (Stream<Path> walk = Files.walk(root)) {
                walk.filter(p -> p.getFileName().toString().startsWith("status.json"))
                        .filter(p -> !p.getParent().equals(c.dataDir()))
                        .forEach(strays::add);
            }
        }
        Path defaultFolder = Path.of("/data");
        if (Files.isDirectory(defaultFolder)) {
            try (Stream<Path> files = Files.list(defaultFolder)) {
                files.filter(p -> p.getFileName().toString().startsWith("status.json"))
                        .filter(p -> modifiedSince(p, itStart))
                        .forEach(strays::add);
            }
        }
        assertEquals(List.of(), strays, "store files outside " + c.dataDir());
    }

    private static boolean modifiedSince(Path p, Instant since) {
        try {
            return Files.getLastModifiedTime(p).compareTo(FileTime.from(since)) >= 0;
        } catch (IOException e) {
            return true;
        }
    }

    private static List<String> list(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- JSON -----------------------------------------------------------------------------------

    static JsonNode json(String text) {
        try {
            return Json.mapper().readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<String> names(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    static List<String> texts(JsonNode array) {
        assertTrue(array != null && array.isArray(), "not an array: " + array);
        List<String> texts = new ArrayList<>();
        array.forEach(e -> texts.add(e.isTextual() ? e.textValue() : e.toString()));
        return texts;
    }

    static List<JsonNode> rows(Answer a) {
        assertOkJson(a);
        List<JsonNode> rows = new ArrayList<>();
        a.json().forEach(rows::add);
        return rows;
    }

    static Set<String> keys(List<JsonNode> rows) {
        return rows.stream().map(DeployedWarIT::key).collect(Collectors.toCollection(TreeSet::new));
    }

    /** The store key of a row, {@code "<server_group>/<host>"}. */
    static String key(JsonNode row) {
        return row.get("server_group").textValue() + "/" + row.get("host").textValue();
    }

    /** §5: the v1 object of each row, in the rows' order. */
    static JsonNode v1Objects(JsonNode rows) {
        ArrayNode objects = Json.mapper().createArrayNode();
        for (JsonNode row : rows) {
            ObjectNode o = objects.addObject();
            o.put("repo", row.get("repo_name").isNull() ? row.get("server_group").textValue()
                    : row.get("repo_name").textValue());
            o.put("server", row.get("host").textValue());
            o.put("sync_status", row.get("status").textValue().toUpperCase(Locale.ROOT));
            o.put("drift_count", row.get("changed_files").size());
            ArrayNode files = o.putArray("files");
            row.get("changed_files").forEach(f -> files.addObject().put("name", f.textValue()));
            o.set("last_check", row.get("last_cron_check").isNull() ? row.get("last_pipeline_run")
                    : row.get("last_cron_check"));
        }
        return objects;
    }

    static JsonNode find(JsonNode v1Objects, String server) {
        for (JsonNode o : v1Objects) {
            if (server.equals(o.path("server").textValue())) {
                return o;
            }
        }
        throw new AssertionError("no v1 object for " + server + " in " + v1Objects);
    }

    /** A JSON object of exactly {@code size} bytes: {@code openObject}, spaces, then the closing brace. */
    static String padded(String openObject, int size) {
        String padded = openObject + " ".repeat(size - openObject.length() - 1) + "}";
        assertEquals(size, padded.getBytes(StandardCharsets.UTF_8).length);
        return padded;
    }

    static String abbreviate(String s) {
        String flat = s == null ? "" : s.replaceAll("\\s+", " ");
        return flat.length() > 300 ? flat.substring(0, 300) + "..." : flat;
    }

    // ---- timing -----------------------------------------------------------------------------------

    interface Step {
        void run() throws Exception;
    }

    private void timed(String what, Step step) {
        long t0 = System.nanoTime();
        try {
            step.run();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        System.out.printf("[%s] TIMING %s: %d ms%n", c.id(), what, (System.nanoTime() - t0) / 1_000_000);
    }
}
