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
import io.gitops.status.metrics.Promtool;
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
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
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
 * data survives a restart of the container and a redeploy of the WAR; then issue 5's operations
 * endpoints without tokens (staleness and last_seen, history and events, per-file rows, the summary,
 * the metrics checked by promtool, deletion), in groups of their own that the last test removes.
 * Tokens and the other settings are {@link SecuredWarIT}'s.
 *
 * <p>Failsafe runs this class once per container (system property {@code it.container}: tomcat10x,
 * tomcat11x, jetty12x; see pom.xml), one container for the whole class. The methods build on each
 * other's records, in {@link Order}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DeployedWarIT {

    /** The contract's §1 fields, which the test data below spell out. */
    static final List<String> RECORD_FIELDS = ContractFields.RECORD;

    /** Every field of every row, in order: §1's, then last_seen, stale, written_by_token (issue 5). */
    static final List<String> ROW_FIELDS = ContractFields.ROW;

    /** Issue 5: the default staleness threshold; this deployment's descriptor does not set staleAfter. */
    static final Duration DEFAULT_STALE_AFTER = Duration.ofMinutes(30);

    static final List<String> LEGACY_FIELDS = ContractFields.LEGACY;

    /** The files the store may keep in its folder (contract §7, docs/operations.md "Storage"). */
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
        assertEquals(List.of("name", "version", "store", "endpoints"), names(info), root.body());
        assertEquals(json("{\"kind\": \"file\", \"path\": \"%s\"}".formatted(c.statusFile())), info.get("store"));
        assertEquals("gitops-status-api", info.get("name").textValue());
        assertEquals(System.getProperty("it.version"), info.get("version").textValue(), "version of the build");
        List<String> endpoints = texts(info.get("endpoints"));
        for (String endpoint : List.of("POST /status/pipeline", "POST /status/cron", "GET /status",
                "GET /status/{server_group}", "GET /status/{server_group}/{host}", "POST /api/status",
                "GET /api/status", "GET /status.json", "GET /health", "GET /ready", "GET /status/files",
                "GET /status/summary", "GET /status/{server_group}/{host}/history", "GET /events", "GET /metrics",
                "DELETE /status/{server_group}", "DELETE /status/{server_group}/{host}", "POST /status/delete")) {
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
        assertTrue(starts.get(0).contains("data file " + c.statusFile() + " (from context parameter statusFile)"),
                starts.get(0));
        assertTrue(starts.get(0).contains("tokens off"), "no tokenFile anywhere: " + starts.get(0));
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
        assertEquals(withOperationsFields(expected), record,
                "cron changes status, files, check time and timestamp only (and what derives from them)");
        assertEquals("2026-04-26T11:00:00Z", record.get("last_seen").textValue(), "last_seen: the later check");
        assertTrue(record.get("stale").booleanValue(), "a drift check of April is older than 30 minutes");

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
        assertEquals(withOperationsFields(expected), drift);

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
                // Known Jetty 12.0 limitation (docs/operations.md, "Deploying"): on a reused connection Jetty
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
        awaitDataFile(storedServers(rows));

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

        ObjectNode stored = storedServers(rows); // asks for the histories, so before the stop
        timed("stop", c::stop);
        assertDataFileHolds(stored, readDataFile()); // written at shutdown, no waiting
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
        awaitDataFile(storedServers(rows(get("/status"))));
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

    // ---- issue 5: staleness, history and events, per-file rows, summary, metrics, deletion -----
    //
    // These add servers in groups of their own (it-ops, it-ops-bulk) and remove them again in the
    // last test, so that the servers of the tests above are as they were (checked at the end).

    /** The fields of a {@code GET /status/files} row, in order. */
    static final List<String> FILE_ROW_FIELDS = List.of("server_group", "host", "file", "status", "last_cron_check");

    /** The statuses, in the contract's order: the summary's and the metrics' counts. */
    static final List<String> STATUSES = List.of("synced", "out_of_sync", "failed", "unknown");

    /** The fields of a {@code GET /status/summary} row, in order. */
    static final List<String> SUMMARY_FIELDS = List.of("server_group", "total", "synced", "out_of_sync", "failed",
            "unknown", "stale", "changed_files");

    /** The fields of a transition in {@code GET .../history}, in order. */
    static final List<String> TRANSITION_FIELDS = List.of("at", "from", "to", "source", "commit_sha",
            "changed_files_count");

    /** The fields of a {@code GET /events} row, in order. */
    static final List<String> EVENT_FIELDS = List.of("at", "server_group", "host", "from", "to", "source",
            "commit_sha", "changed_files_count", "text");

    private Set<String> keysBeforeOperations;
    private Instant operationsStart;

    @Test
    @Order(13)
    void lastSeenAndStaleOnEveryRowAndTheStaleFilter() {
        keysBeforeOperations = keys(rows(get("/status")));
        operationsStart = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        Instant t0 = Instant.now();
        String threeHoursAgo = utc(t0.minus(Duration.ofHours(3)));
        String twoHoursAgo = utc(t0.minus(Duration.ofHours(2)));

        // ops-01: a pipeline run, no drift check: never stale, last seen at the run.
        JsonNode ops1 = assertWrite(post("/status/pipeline", """
                {"server_group": "it-ops", "host": "ops-01", "environment": "prod", "server_type": "nginx",
                 "status": "synced", "commit_sha": "c0ffee1"}"""), "created", "it-ops/ops-01", List.of(), t0);
        assertEquals(ops1.get("last_pipeline_run"), ops1.get("last_seen"), ops1.toString());
        assertFalse(ops1.get("stale").booleanValue(), ops1.toString());
        assertTrue(ops1.get("written_by_token").isNull(), "tokens are off in this deployment: " + ops1);

        // ops-02: a run three hours ago, a drift check two hours ago: last seen at the check, stale.
        assertWrite(post("/status/pipeline", """
                {"server_group": "it-ops", "host": "ops-02", "environment": "prod", "server_type": "nginx",
                 "status": "synced", "commit_sha": "c0ffee1", "last_pipeline_run": "%s"}""".formatted(threeHoursAgo)),
                "created", "it-ops/ops-02", List.of(), t0);
        JsonNode ops2 = assertWrite(post("/status/cron", """
                {"server_group": "it-ops", "host": "ops-02", "status": "synced", "changed_files": [],
                 "last_cron_check": "%s"}""".formatted(twoHoursAgo)), "updated", "it-ops/ops-02", List.of(), t0);
        assertEquals(twoHoursAgo, ops2.get("last_seen").textValue(), ops2.toString());
        assertTrue(ops2.get("stale").booleanValue(), "a drift check two hours ago is stale after 30 minutes: " + ops2);

        // ops-03: a run three hours ago, a drift check now (server clock): last seen now, fresh.
        assertWrite(post("/status/pipeline", """
                {"server_group": "it-ops", "host": "ops-03", "environment": "staging", "status": "synced",
                 "last_pipeline_run": "%s"}""".formatted(threeHoursAgo)), "created", "it-ops/ops-03", List.of(), t0);
        JsonNode ops3 = assertWrite(post("/status/cron", """
                {"server_group": "it-ops", "host": "ops-03", "status": "synced"}"""),
                "updated", "it-ops/ops-03", List.of(), t0);
        assertServerTime(ops3.get("last_cron_check").textValue(), t0);
        assertEquals(ops3.get("last_cron_check"), ops3.get("last_seen"), ops3.toString());
        assertFalse(ops3.get("stale").booleanValue(), ops3.toString());

        assertEquals(ops2, get("/status/it-ops/ops-02").json(), "the row read back");
        assertRows(List.of(ops1, ops2, ops3), get("/status/it-ops"));
        assertRows(List.of(ops2), get("/status?server_group=it-ops&stale=true"));
        assertRows(List.of(ops1, ops3), get("/status?server_group=it-ops&stale=FALSE"));
        assertRows(List.of(ops1, ops2, ops3), get("/status?server_group=it-ops&stale=true&stale=false"));
        assertRows(List.of(ops2), get("/status?stale=true&server_group=it-ops&environment=prod"));

        // Over every server (the earlier tests' included): exactly those whose rows say so.
        List<JsonNode> all = rows(get("/status"));
        assertRows(all.stream().filter(r -> r.get("stale").booleanValue()).toList(), get("/status?stale=true"));
        assertRows(all.stream().filter(r -> !r.get("stale").booleanValue()).toList(), get("/status?stale=false"));
        assertTrue(all.stream().anyMatch(r -> r.get("stale").booleanValue())
                && all.stream().anyMatch(r -> !r.get("stale").booleanValue()), "both kinds of rows: " + all);
        assertEquals("stale", assertError(get("/status?stale=maybe"), 400, "validation_failed").get("field").textValue());
    }

    @Test
    @Order(14)
    void historyKeepsStatusChangesNewestFirstAndEventsListThemSince() {
        // ops-02 was created (null -> synced) and then checked without a change: one transition.
        List<JsonNode> created = rows(get("/status/it-ops/ops-02/history"));
        assertEquals(1, created.size(), "only the creation changed the status: " + created);
        assertTransition(created.get(0), null, "synced", "pipeline", "c0ffee1", 0, operationsStart);

        CargoContainer.pause(Duration.ofMillis(1100)); // the transitions below are a second later at least
        Instant t1 = Instant.now();
        assertOkJson(post("/status/cron", """
                {"server_group": "it-ops", "host": "ops-02", "status": "out_of_sync",
                 "changed_files": ["/etc/nginx/nginx.conf", "/etc/nginx/conf.d/a.conf"]}"""));
        // the same status again, then a pipeline with the same status: no transition
        assertOkJson(post("/status/cron", """
                {"server_group": "it-ops", "host": "ops-02", "status": "out_of_sync",
                 "changed_files": ["/etc/nginx/nginx.conf"]}"""));
        assertOkJson(post("/status/pipeline", """
                {"server_group": "it-ops", "host": "ops-02", "environment": "prod", "server_type": "nginx",
                 "status": "out_of_sync", "changed_files": ["/etc/nginx/nginx.conf"], "commit_sha": "c0ffee2"}"""));
        // the v1 endpoint, then a pipeline
        assertOkJson(post("/api/status", """
                {"repo": "it-ops", "server": "ops-02", "sync_status": "FAILED", "drift_count": 1,
                 "files": [{"name": "/etc/nginx/nginx.conf"}]}"""));
        assertOkJson(post("/status/pipeline", """
                {"server_group": "it-ops", "host": "ops-02", "environment": "prod", "server_type": "nginx",
                 "status": "synced", "commit_sha": "c0ffee3"}"""));

        Answer a = get("/status/it-ops/ops-02/history");
        assertOkJson(a);
        assertEquals("no-cache", a.header("Cache-Control"), a.request());
        List<JsonNode> history = rows(a);
        assertEquals(4, history.size(), "four changes of status: " + history);
        assertTransition(history.get(0), "failed", "synced", "pipeline", "c0ffee3", 0, t1);
        assertTransition(history.get(1), "out_of_sync", "failed", "legacy", "c0ffee2", 1, t1);
        assertTransition(history.get(2), "synced", "out_of_sync", "cron", "c0ffee1", 2, t1);
        assertEquals(created.get(0), history.get(3), "the oldest is the creation");
        for (int i = 1; i < history.size(); i++) {
            assertFalse(instant(history.get(i)).isAfter(instant(history.get(i - 1))), "newest first: " + history);
        }
        assertError(get("/status/it-ops/no-such-host/history"), 404, "not_found");

        // GET /events: the transitions of every server, oldest first; since/until bound them,
        // the list's filters pick servers.
        List<JsonNode> all = rows(get("/status"));
        List<JsonNode> everyEvent = expectedEvents(all);
        assertEvents(everyEvent, get("/events"));
        List<JsonNode> ops = all.stream().filter(r -> r.get("server_group").textValue().equals("it-ops")).toList();
        List<JsonNode> opsEvents = expectedEvents(ops);
        assertEquals(3 + 3, opsEvents.size(), "three creations and ops-02's three changes: " + opsEvents);
        String since = history.get(2).get("at").textValue(); // ops-02's first change after the pause
        List<JsonNode> sinceThen = opsEvents.stream().filter(e -> !instant(e).isBefore(Instant.parse(since))).toList();
        assertEquals(3, sinceThen.size(), "only ops-02's three changes since " + since + ": " + opsEvents);
        assertEvents(sinceThen, get("/events?server_group=it-ops&since=" + since));
        assertEvents(sinceThen, get("/events?since=" + Instant.parse(since).toEpochMilli() + "&server_group=it-ops"));
        assertEvents(everyEvent.stream().filter(e -> !instant(e).isBefore(Instant.parse(since))).toList(),
                get("/events?since=" + since));
        String createdAt = created.get(0).get("at").textValue();
        assertEvents(opsEvents.stream().filter(e -> !instant(e).isAfter(Instant.parse(createdAt))).toList(),
                get("/events?server_group=it-ops&since=" + utc(operationsStart) + "&until=" + createdAt));
        assertEvents(List.of(), get("/events?server_group=it-ops&since=" + utc(Instant.now().plusSeconds(3600))));
        assertEquals("since", assertError(get("/events?since=yesterday"), 400, "validation_failed")
                .get("field").textValue());
        assertError(get("/events?colour=red"), 400, "unknown_parameter");
    }

    @Test
    @Order(15)
    void perFileRowsAndTheSummary() {
        assertOkJson(post("/status/cron", """
                {"server_group": "it-ops", "host": "ops-03", "status": "out_of_sync",
                 "changed_files": ["/etc/nginx/nginx.conf", "/etc/nginx/conf.d/b.conf"]}"""));
        List<JsonNode> all = rows(get("/status"));

        // GET /status/files: one row per changed file, the list's order and filters.
        assertFileRows(fileRows(all), get("/status/files"));
        List<JsonNode> opsDrift = all.stream().filter(r -> r.get("server_group").textValue().equals("it-ops")
                && r.get("status").textValue().equals("out_of_sync")).toList();
        assertEquals(List.of("it-ops/ops-03"), List.copyOf(keys(opsDrift)), "test data");
        assertFileRows(fileRows(opsDrift), get("/status/files?server_group=it-ops&status=OUT_OF_SYNC"));
        assertEquals(2, fileRows(opsDrift).size());
        assertFileRows(fileRows(all.stream().filter(r -> r.get("stale").booleanValue()).toList()),
                get("/status/files?stale=true"));
        assertFileRows(List.of(), get("/status/files?server_group=it-ops&host=ops-01"));
        assertError(get("/status/files?colour=red"), 400, "unknown_parameter");

        // GET /status/summary: one row per group, sorted, then "*" for all; the list's filters.
        assertSummary(summary(all), get("/status/summary"));
        List<JsonNode> ops = all.stream().filter(r -> r.get("server_group").textValue().equals("it-ops")).toList();
        List<JsonNode> opsSummary = summary(ops);
        assertEquals(json("""
                {"server_group": "it-ops", "total": 3, "synced": 2, "out_of_sync": 1, "failed": 0, "unknown": 0,
                 "stale": 0, "changed_files": 2}"""), opsSummary.get(0), "test data");
        assertSummary(opsSummary, get("/status/summary?server_group=it-ops"));
        assertSummary(summary(all.stream().filter(r -> r.get("stale").booleanValue()).toList()),
                get("/status/summary?stale=true"));
        assertSummary(List.of(), get("/status/summary?server_group=no-such-group"));
        assertError(get("/status/summary?colour=red"), 400, "unknown_parameter");
    }

    /** A badge over real HTTP under the context path: SVG that parses, its headers, 304, the shields form. */
    @Test
    @Order(15)
    void badgesOfAHostAGroupAndAnUnknownHost() throws Exception {
        assertOkJson(post("/status/pipeline", """
                {"server_group": "it-badge", "host": "b1", "status": "failed"}"""));
        Answer svg = get("/badge/it-badge/b1.svg");
        assertEquals(200, svg.status(), svg.body());
        assertEquals("image/svg+xml;charset=utf-8",
                svg.header("Content-Type").replace(" ", "").toLowerCase(Locale.ROOT));
        assertEquals("max-age=60", svg.header("Cache-Control"));
        javax.xml.parsers.DocumentBuilderFactory xml = javax.xml.parsers.DocumentBuilderFactory.newInstance();
        xml.setNamespaceAware(true);
        org.w3c.dom.Element root = xml.newDocumentBuilder().parse(
                new java.io.ByteArrayInputStream(svg.body().getBytes(StandardCharsets.UTF_8))).getDocumentElement();
        assertEquals("it-badge/b1: failed", root.getAttribute("aria-label"));
        HttpResponse<Void> revalidated = http.send(
                HttpRequest.newBuilder(URI.create(c.baseUrl() + "/badge/it-badge/b1.svg"))
                        .header("If-None-Match", svg.header("ETag")).build(),
                HttpResponse.BodyHandlers.discarding());
        assertEquals(304, revalidated.statusCode());
        assertEquals(json("""
                {"schemaVersion": 1, "label": "it-badge", "message": "1 failed", "color": "b91c1c"}"""),
                get("/badge/it-badge.json").json());
        assertEquals(404, get("/badge/it-badge/nope.svg").status());
        assertEquals(204, send("DELETE", "/status/it-badge/b1", null, null).status());
    }

    @Test
    @Order(16)
    void metricsInThePrometheusTextFormat() {
        Answer a = get("/metrics");
        assertEquals(200, a.status(), a.request() + ": " + abbreviate(a.body()));
        String type = a.header("Content-Type");
        assertNotNull(type, a.request());
        List<String> parameters = List.of(type.toLowerCase(Locale.ROOT).split("\\s*;\\s*"));
        assertEquals("text/plain", parameters.get(0), "Content-Type " + type);
        assertTrue(parameters.contains("version=0.0.4"), "Content-Type " + type);
        assertTrue(parameters.stream().allMatch(p -> !p.startsWith("charset=") || p.equals("charset=utf-8")),
                "Content-Type " + type);
        Promtool.assertValid(a.body());

        List<Sample> samples = samples(a.body());
        List<JsonNode> all = rows(get("/status"));
        assertTrue(keys(all).containsAll(List.of("it-ops/ops-01", "it-ops/ops-02", "it-ops/ops-03")), "test data");
        for (JsonNode row : all) {
            String group = row.get("server_group").textValue();
            String host = row.get("host").textValue();
            assertEquals(1.0, value(samples, "gitops_status", "server_group", group, "host", host,
                    "status", row.get("status").textValue(), "environment", text(row, "environment"),
                    "server_type", text(row, "server_type")), "gitops_status of " + key(row));
            assertEquals(1, samples.stream().filter(s -> s.name().equals("gitops_status")
                    && group.equals(s.label("server_group")) && host.equals(s.label("host"))).count(),
                    "one gitops_status series per host: " + key(row));
            assertEquals(row.get("changed_files_count").doubleValue(),
                    value(samples, "gitops_changed_files", "server_group", group, "host", host), key(row));
            assertEquals(row.get("stale").booleanValue() ? 1.0 : 0.0,
                    value(samples, "gitops_stale", "server_group", group, "host", host), key(row));
            if (!row.get("last_seen").isNull()) {
                assertEquals(Instant.parse(row.get("last_seen").textValue()).toEpochMilli() / 1000.0,
                        value(samples, "gitops_last_seen_timestamp_seconds", "server_group", group, "host", host),
                        0.0005, key(row));
            }
        }
        assertEquals(all.size(), samples.stream().filter(s -> s.name().equals("gitops_status")).count(),
                "a series per host and no more");
        for (String status : STATUSES) {
            assertEquals((double) all.stream().filter(r -> r.get("status").textValue().equals(status)).count(),
                    value(samples, "gitops_hosts", "status", status), "gitops_hosts of " + status);
        }
        assertEquals((double) all.stream().filter(r -> r.get("stale").booleanValue()).count(),
                value(samples, "gitops_hosts_stale"));
        // The store's own counters: this instance (since the redeploy) has written.
        assertTrue(value(samples, "gitops_store_writes_total") >= 10, "writes since the redeploy");
        assertTrue(value(samples, "gitops_store_batches_total") >= 1);
        assertTrue(value(samples, "gitops_store_batches_total") <= value(samples, "gitops_store_writes_total"));
        assertEquals(value(samples, "gitops_store_write_duration_seconds_count"),
                value(samples, "gitops_store_write_duration_seconds_bucket", "le", "+Inf"));
        assertTrue(value(samples, "gitops_store_write_duration_seconds_sum") > 0);
        assertTrue(value(samples, "gitops_store_snapshot_bytes") >= 0);
        assertTrue(value(samples, "gitops_store_journal_bytes") >= 0);
    }

    @Test
    @Order(17)
    void deletingAServerAGroupAndInBulk() throws IOException {
        // One server: 204 without a body, then it is gone, history and all; again: 404.
        Answer one = send("DELETE", "/status/it-ops/ops-01", null, null);
        assertEquals(204, one.status(), one.request() + ": " + one.body());
        assertEquals("", one.body(), one.request());
        assertError(get("/status/it-ops/ops-01"), 404, "not_found");
        assertError(get("/status/it-ops/ops-01/history"), 404, "not_found");
        assertError(send("DELETE", "/status/it-ops/ops-01", null, null), 404, "not_found");
        assertError(send("DELETE", "/status/it-ops/no-such-host", null, null), 404, "not_found");

        // In bulk, by the list's filters: by status, then every stale server of a group.
        Instant t0 = Instant.now();
        String twoHoursAgo = utc(t0.minus(Duration.ofHours(2)));
        for (String body : List.of(
                "{\"server_group\": \"it-ops-bulk\", \"host\": \"bulk-01\", \"status\": \"failed\"}",
                "{\"server_group\": \"it-ops-bulk\", \"host\": \"bulk-02\", \"status\": \"unknown\"}",
                "{\"server_group\": \"it-ops-bulk\", \"host\": \"bulk-03\", \"status\": \"synced\"}",
                "{\"server_group\": \"it-ops-bulk\", \"host\": \"bulk-04\", \"status\": \"synced\"}")) {
            assertOkJson(post("/status/pipeline", body));
        }
        assertOkJson(post("/status/cron", "{\"server_group\": \"it-ops-bulk\", \"host\": \"bulk-03\","
                + " \"last_cron_check\": \"" + twoHoursAgo + "\"}"));
        assertOkJson(post("/status/cron", "{\"server_group\": \"it-ops-bulk\", \"host\": \"bulk-04\"}"));

        Answer byStatus = post("/status/delete", "{\"server_group\": \"it-ops-bulk\", \"status\": [\"failed\", \"UNKNOWN\"]}");
        assertOkJson(byStatus);
        assertEquals(json("{\"deleted\": [\"it-ops-bulk/bulk-01\", \"it-ops-bulk/bulk-02\"]}"), byStatus.json());
        assertEquals(Set.of("it-ops-bulk/bulk-03", "it-ops-bulk/bulk-04"), keys(rows(get("/status/it-ops-bulk"))));
        Answer stale = post("/status/delete", "{\"server_group\": [\"it-ops-bulk\"], \"stale\": true}");
        assertOkJson(stale);
        assertEquals(json("{\"deleted\": [\"it-ops-bulk/bulk-03\"]}"), stale.json());
        Answer none = post("/status/delete", "{\"server_group\": \"it-ops-bulk\", \"status\": \"failed\"}");
        assertOkJson(none);
        assertEquals(json("{\"deleted\": []}"), none.json());
        assertEquals(Set.of("it-ops-bulk/bulk-04"), keys(rows(get("/status/it-ops-bulk"))));

        String before = get("/status").body();
        assertError(post("/status/delete", "{}"), 400, "validation_failed");
        assertEquals("colour", assertError(post("/status/delete", "{\"colour\": \"red\"}"), 400, "unknown_parameter")
                .get("field").textValue());
        assertError(post("/status/delete", "{\"server_group\": 5}"), 400, "validation_failed");
        assertError(refused("POST", "/status/delete", "text/plain", "{\"server_group\": \"it-ops\"}"),
                415, "unsupported_media_type");
        assertEquals(before, get("/status").body(), "a refused deletion deletes nothing");

        // A deleted server that reports again is created anew, with a history of its own.
        assertWrite(post("/status/pipeline", "{\"server_group\": \"it-ops\", \"host\": \"ops-01\", \"status\": \"failed\"}"),
                "created", "it-ops/ops-01", List.of(), t0);
        List<JsonNode> history = rows(get("/status/it-ops/ops-01/history"));
        assertEquals(1, history.size(), history.toString());
        assertTransition(history.get(0), null, "failed", "pipeline", null, 0, t0);

        // A whole group: 204, then it has no servers; again: 404.
        Answer group = send("DELETE", "/status/it-ops", null, null);
        assertEquals(204, group.status(), group.request() + ": " + group.body());
        assertEquals("", group.body(), group.request());
        assertRows(List.of(), get("/status/it-ops"));
        assertError(send("DELETE", "/status/it-ops", null, null), 404, "not_found");
        assertEquals(204, send("DELETE", "/status/it-ops-bulk", null, null).status());

        // The other tests' servers are as they were, in memory and, once compacted, in the data file.
        List<JsonNode> rows = rows(get("/status"));
        assertEquals(keysBeforeOperations, keys(rows));
        assertReady(rows.size());
        awaitDataFile(storedServers(rows));
        assertNothingWrittenElsewhere();
    }

    /** A transition: its fields in order, a server time not before {@code notBefore}. */
    private static void assertTransition(JsonNode t, String from, String to, String source, String commitSha,
            int changedFiles, Instant notBefore) {
        assertEquals(TRANSITION_FIELDS, names(t), t.toString());
        assertServerTime(t.get("at").textValue(), notBefore);
        assertEquals(from == null ? json("null") : json("\"" + from + "\""), t.get("from"), t.toString());
        assertEquals(to, t.get("to").textValue(), t.toString());
        assertEquals(source, t.get("source").textValue(), t.toString());
        assertEquals(commitSha == null ? json("null") : json("\"" + commitSha + "\""), t.get("commit_sha"),
                t.toString());
        assertEquals(changedFiles, t.get("changed_files_count").intValue(), t.toString());
    }

    /**
     * The events of these servers as {@code GET /events} lists them (without {@code text}): every
     * transition of each server's history, by time, then server group and host, a server's
     * transitions of one second in the order they happened.
     */
    private List<JsonNode> expectedEvents(List<JsonNode> rows) {
        List<JsonNode> events = new ArrayList<>();
        for (JsonNode row : rows) {
            List<JsonNode> newestFirst = rows(get("/status/" + key(row) + "/history"));
            for (int i = newestFirst.size() - 1; i >= 0; i--) {
                JsonNode t = newestFirst.get(i);
                ObjectNode e = Json.mapper().createObjectNode();
                e.set("at", t.get("at"));
                e.set("server_group", row.get("server_group"));
                e.set("host", row.get("host"));
                for (String field : List.of("from", "to", "source", "commit_sha", "changed_files_count")) {
                    e.set(field, t.get(field));
                }
                events.add(e);
            }
        }
        events.sort(Comparator.comparing(DeployedWarIT::instant)
                .thenComparing(e -> e.get("server_group").textValue()).thenComparing(e -> e.get("host").textValue()));
        return events;
    }

    /** A 200 list of events: these, in order, each with its fields in order and a text that says it. */
    private static void assertEvents(List<JsonNode> expected, Answer a) {
        assertOkJson(a);
        assertEquals("no-cache", a.header("Cache-Control"), a.request());
        List<JsonNode> withoutText = new ArrayList<>();
        for (JsonNode event : rows(a)) {
            assertEquals(EVENT_FIELDS, names(event), a.request() + ": " + event);
            String text = event.get("text").textValue();
            String ending = " → " + event.get("to").textValue() + " (" + event.get("source").textValue() + ")";
            assertTrue(text.startsWith(key(event) + ": ") && text.endsWith(ending), "text of " + event);
            if (!event.get("from").isNull()) {
                assertEquals(key(event) + ": " + event.get("from").textValue() + ending, text, event.toString());
            }
            ObjectNode copy = event.deepCopy();
            copy.remove("text");
            withoutText.add(copy);
        }
        assertEquals(expected, withoutText, a.request());
    }

    /** The {@code GET /status/files} rows of these servers, in their order. */
    private static List<JsonNode> fileRows(List<JsonNode> rows) {
        List<JsonNode> files = new ArrayList<>();
        for (JsonNode row : rows) {
            for (JsonNode file : row.get("changed_files")) {
                ObjectNode f = Json.mapper().createObjectNode();
                f.set("server_group", row.get("server_group"));
                f.set("host", row.get("host"));
                f.set("file", file);
                f.set("status", row.get("status"));
                f.set("last_cron_check", row.get("last_cron_check"));
                files.add(f);
            }
        }
        return files;
    }

    private static void assertFileRows(List<JsonNode> expected, Answer a) {
        assertOkJson(a);
        assertEquals("no-cache", a.header("Cache-Control"), a.request());
        List<JsonNode> rows = rows(a);
        rows.forEach(r -> assertEquals(FILE_ROW_FIELDS, names(r), a.request() + ": " + r));
        assertEquals(expected, rows, a.request());
    }

    /** The summary of these servers: a row per group in plain string order, then "*", or none at all. */
    private static List<JsonNode> summary(List<JsonNode> rows) {
        Map<String, ObjectNode> groups = new TreeMap<>();
        ObjectNode total = summaryRow("*");
        for (JsonNode row : rows) {
            for (ObjectNode s : List.of(groups.computeIfAbsent(row.get("server_group").textValue(),
                    DeployedWarIT::summaryRow), total)) {
                s.put("total", s.get("total").intValue() + 1);
                String status = row.get("status").textValue();
                s.put(status, s.get(status).intValue() + 1);
                s.put("stale", s.get("stale").intValue() + (row.get("stale").booleanValue() ? 1 : 0));
                s.put("changed_files", s.get("changed_files").intValue() + row.get("changed_files_count").intValue());
            }
        }
        List<JsonNode> summary = new ArrayList<>(groups.values());
        if (!summary.isEmpty()) {
            summary.add(total);
        }
        return summary;
    }

    private static ObjectNode summaryRow(String group) {
        ObjectNode row = Json.mapper().createObjectNode();
        row.put("server_group", group);
        SUMMARY_FIELDS.subList(1, SUMMARY_FIELDS.size()).forEach(field -> row.put(field, 0));
        return row;
    }

    private static void assertSummary(List<JsonNode> expected, Answer a) {
        assertOkJson(a);
        assertEquals("no-cache", a.header("Cache-Control"), a.request());
        JsonNode rows = a.json();
        assertTrue(rows.isArray(), a.request() + ": " + a.body());
        rows.forEach(r -> assertEquals(SUMMARY_FIELDS, names(r), a.request() + ": " + r));
        assertEquals(expected, rows(a), a.request());
    }

    /** One sample line of the Prometheus text format: name, labels, value. */
    record Sample(String name, Map<String, String> labels, double value) {
        /** A label's value; an absent label is the empty string, as Prometheus has it. */
        String label(String name) {
            return labels.getOrDefault(name, "");
        }
    }

    private static final java.util.regex.Pattern SAMPLE =
            java.util.regex.Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)\\})? (\\S+)");
    private static final java.util.regex.Pattern LABEL =
            java.util.regex.Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\",?");

    /**
     * The samples of a text that promtool accepted, to look values up (not a check of the format:
     * that is promtool's); label values are taken as written, our test data need no escapes.
     */
    static List<Sample> samples(String text) {
        List<Sample> samples = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            java.util.regex.Matcher m = SAMPLE.matcher(line);
            assertTrue(m.matches(), "sample line: " + line);
            Map<String, String> labels = new TreeMap<>();
            if (m.group(2) != null) {
                java.util.regex.Matcher l = LABEL.matcher(m.group(2));
                while (l.find()) {
                    labels.put(l.group(1), l.group(2));
                }
            }
            String value = m.group(3);
            samples.add(new Sample(m.group(1), labels, value.equals("+Inf") ? Double.POSITIVE_INFINITY
                    : Double.parseDouble(value)));
        }
        return samples;
    }

    /** The value of the one sample of {@code name} with exactly these labels (name, value pairs). */
    static double value(List<Sample> samples, String name, String... labels) {
        Map<String, String> wanted = new TreeMap<>();
        for (int i = 0; i < labels.length; i += 2) {
            if (!labels[i + 1].isEmpty()) {
                wanted.put(labels[i], labels[i + 1]);
            }
        }
        List<Sample> found = samples.stream().filter(s -> s.name().equals(name)).filter(s -> {
            Map<String, String> present = new TreeMap<>(s.labels());
            present.values().removeIf(String::isEmpty);
            return present.equals(wanted);
        }).toList();
        assertEquals(1, found.size(), "samples of " + name + wanted + ": " + found);
        return found.get(0).value();
    }

    private static String text(JsonNode row, String field) {
        return row.get(field).isNull() ? "" : row.get(field).textValue();
    }

    private static Instant instant(JsonNode timed) {
        return Instant.parse(timed.get("at").textValue());
    }

    /** UTC, to the second, with Z: the way a client would send a time. */
    static String utc(Instant instant) {
        return DateTimeFormatter.ISO_INSTANT.format(instant.truncatedTo(ChronoUnit.SECONDS));
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

    static void assertOkJson(Answer a) {
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

    /**
     * The expected row: the given §1 fields in order, with the server's timestamp from the answer,
     * then the fields derived from them (no token: this deployment has none).
     */
    private static ObjectNode expectedRecord(String fieldsButTimestamp, JsonNode actual) {
        ObjectNode expected = (ObjectNode) json(fieldsButTimestamp);
        expected.put("timestamp", actual.get("timestamp").textValue());
        assertEquals(RECORD_FIELDS, names(expected), "test data");
        return withOperationsFields(expected);
    }

    /**
     * A copy of a row with last_seen, stale and written_by_token (re)computed from its §1 fields, at
     * the end in that order: last_seen the later of the pipeline run and the drift check, stale
     * whether the drift check is older than the default 30 minutes, no token.
     */
    static ObjectNode withOperationsFields(ObjectNode row) {
        ObjectNode expected = row.deepCopy();
        expected.remove(ContractFields.OPERATIONS);
        expected.set("last_seen", lastSeen(expected));
        expected.put("stale", isStale(expected, DEFAULT_STALE_AFTER, Instant.now()));
        expected.putNull("written_by_token");
        return expected;
    }

    /** Issue 5: the latest of last_pipeline_run and last_cron_check, as given; null when neither. */
    static JsonNode lastSeen(JsonNode row) {
        JsonNode pipeline = row.get("last_pipeline_run");
        JsonNode cron = row.get("last_cron_check");
        if (pipeline.isNull() || cron.isNull()) {
            return pipeline.isNull() ? cron : pipeline;
        }
        return Instant.parse(pipeline.textValue()).isAfter(Instant.parse(cron.textValue())) ? pipeline : cron;
    }

    /** Issue 5: stale when the host has a drift check older than the threshold. */
    static boolean isStale(JsonNode row, Duration threshold, Instant now) {
        JsonNode cron = row.get("last_cron_check");
        return !cron.isNull() && Instant.parse(cron.textValue()).plus(threshold).isBefore(now);
    }

    /**
     * A row: exactly the §1 fields, then last_seen, stale, written_by_token, in this order; the
     * count and last_seen derived, stale as the default threshold says (unless the drift check is
     * within seconds of it, where the row's moment of making decides).
     */
    static void assertRowShape(JsonNode row) {
        assertTrue(row.isObject(), "row is not an object: " + row);
        assertEquals(ROW_FIELDS, names(row), "fields of " + row);
        assertEquals(row.get("changed_files").size(), row.get("changed_files_count").intValue(), row.toString());
        assertTrue(row.get("labels").isObject(), row.toString());
        assertEquals(lastSeen(row), row.get("last_seen"), "last_seen of " + row);
        assertTrue(row.get("stale").isBoolean(), row.toString());
        assertTrue(row.get("written_by_token").isNull() || row.get("written_by_token").isTextual(), row.toString());
        JsonNode cron = row.get("last_cron_check");
        if (cron.isNull()) {
            assertFalse(row.get("stale").booleanValue(), "a host without drift checks is never stale: " + row);
        }
    }

    /** {@link #assertRowShape} and stale as the default threshold says now (give or take 5 s). */
    private static void assertDefaultStaleness(JsonNode row) {
        JsonNode cron = row.get("last_cron_check");
        if (!cron.isNull()) {
            Instant deadline = Instant.parse(cron.textValue()).plus(DEFAULT_STALE_AFTER);
            if (Duration.between(deadline, Instant.now()).abs().getSeconds() > 5) {
                assertEquals(deadline.isBefore(Instant.now()), row.get("stale").booleanValue(), "stale of " + row);
            }
        }
    }

    /** A 200 list answer holding exactly {@code expected}, in order, every row well-formed. */
    private static void assertRows(List<JsonNode> expected, Answer a) {
        assertOkJson(a);
        assertEquals("no-cache", a.header("Cache-Control"), a.request());
        JsonNode rows = a.json();
        assertTrue(rows.isArray(), a.request() + ": " + abbreviate(a.body()));
        rows.forEach(DeployedWarIT::assertRowShape);
        rows.forEach(DeployedWarIT::assertDefaultStaleness);
        assertEquals(expected, rows(a), a.request());
    }

    static JsonNode assertError(Answer a, int status, String code) {
        return assertErrorAnswer(a, status, code).json();
    }

    /**
     * Our JSON error (§8), never the container's HTML page: the status, Content-Type
     * application/json, {"error", "message"[, "field"]}, no internals.
     */
    static Answer assertErrorAnswer(Answer a, int status, String code) {
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
        assertEquals(json("{\"status\": \"ready\", \"store\": {\"kind\": \"file\", \"path\": \"%s\", \"servers\": %d}}"
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
    private void awaitDataFile(ObjectNode servers) {
        long deadline = System.nanoTime() + DATA_FILE_DEADLINE.toNanos();
        JsonNode file = null;
        while (System.nanoTime() < deadline) {
            file = readDataFile();
            if (file != null && holds(servers, file)) {
                return;
            }
            CargoContainer.pause(Duration.ofMillis(100));
        }
        assertDataFileHolds(servers, file);
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

    /** §7: {"version": "2.0", "servers": {"group/host": record}}; see {@link #storedServers}. */
    private void assertDataFileHolds(ObjectNode servers, JsonNode file) {
        assertNotNull(file, "no data file at " + c.statusFile() + "; folder holds " + list(c.dataDir()));
        assertEquals("2.0", file.path("version").asText(), file.toString());
        assertEquals(servers, file.get("servers"), c.statusFile() + " does not hold the records");
    }

    private static boolean holds(ObjectNode servers, JsonNode file) {
        return "2.0".equals(file.path("version").asText()) && servers.equals(file.get("servers"));
    }

    /**
     * The data file's {@code servers} object for these rows, by key: each row without what is
     * derived when it is read (changed_files_count, last_seen, stale), with written_by_token, and
     * with the record's history (issue 5), oldest first, which {@code GET .../history} answers
     * newest first; so this asks the running application.
     */
    private ObjectNode storedServers(List<JsonNode> rows) {
        ObjectNode servers = Json.mapper().createObjectNode();
        for (JsonNode row : rows) {
            ObjectNode stored = row.deepCopy();
            stored.remove(List.of("changed_files_count", "last_seen", "stale"));
            ArrayNode history = Json.mapper().createArrayNode();
            List<JsonNode> newestFirst = rows(get("/status/" + key(row) + "/history"));
            for (int i = newestFirst.size() - 1; i >= 0; i--) {
                history.add(newestFirst.get(i));
            }
            stored.set("history", history);
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
