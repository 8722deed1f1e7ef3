package io.gitops.status.it;

import static io.gitops.status.it.DeployedWarIT.abbreviate;
import static io.gitops.status.it.DeployedWarIT.assertError;
import static io.gitops.status.it.DeployedWarIT.assertOkJson;
import static io.gitops.status.it.DeployedWarIT.assertRowShape;
import static io.gitops.status.it.DeployedWarIT.json;
import static io.gitops.status.it.DeployedWarIT.key;
import static io.gitops.status.it.DeployedWarIT.keys;
import static io.gitops.status.it.DeployedWarIT.samples;
import static io.gitops.status.it.DeployedWarIT.utc;
import static io.gitops.status.it.DeployedWarIT.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.gitops.status.it.DeployedWarIT.Answer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The built WAR configured the way an operator secures it (issue 5): a second deployment, in a
 * container of its own with its own data folder ({@code target/cargo-it/<id>-secured}), whose
 * context descriptor sets {@code tokenFile}, {@code staleAfter}, {@code retainFor} and
 * {@code historySize} as context parameters, while the container JVM's system properties name other
 * values (decoys) that the context parameters must win over.
 *
 * <p>Over real HTTP: writes and deletions need a Bearer token whose {@code write:GLOB} scopes cover
 * the server group (401 / 403 as JSON otherwise), the token's name is kept as
 * {@code written_by_token}, reads need the {@code read} scope once a token has it (but
 * {@code /health} and {@code /ready} never), the token file is read again after an edit without a
 * restart, and the other settings take effect. Then the descriptor is changed to unusable values
 * (a malformed token file, a bad {@code staleAfter}): the container deploys the application again,
 * it does not start, and {@code /ready} does not answer 200; a corrected descriptor brings it back
 * with its data.
 *
 * <p>Failsafe runs it once per container, like {@link DeployedWarIT}; one container start for the
 * whole class. The methods build on each other, in {@link Order}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SecuredWarIT {

    static final String STALE_AFTER = "PT5M";
    static final String RETAIN_FOR = "PT10M";
    static final int HISTORY_SIZE = 2;
    /** The application's log line when a setting stops it (WebAppBootstrap). */
    static final String NOT_STARTED = "gitops-status not started: ";
    static final Duration REDEPLOY_TIMEOUT = Duration.ofSeconds(60);

    private final String ciToken = randomToken();
    private final String grafanaToken = randomToken();
    private final String newToken = randomToken();

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private CargoContainer c;
    private Path tokenFile;
    private Set<String> keysBeforeFailures;

    @BeforeAll
    void startContainer() throws IOException {
        String id = System.getProperty("it.container");
        Path workDir = Path.of(System.getProperty("it.workdir")).resolve(id + "-secured").toAbsolutePath();
        tokenFile = workDir.resolve("secrets/tokens");
        Path decoys = workDir.resolve("decoy");
        Map<String, String> systemProperties = new LinkedHashMap<>();
        systemProperties.put("gitops.token.file", decoys.resolve("tokens").toString()); // does not exist
        systemProperties.put("gitops.stale.after", "PT99H");
        systemProperties.put("gitops.retain.for", "P3650D");
        systemProperties.put("gitops.history.size", "7");
        c = CargoContainer.fromSystemProperties("secured", settings(tokenFile, STALE_AFTER), systemProperties);
        assertEquals(workDir, c.workDir());

        // Written after the helper wiped the work folder; read when the application starts.
        Files.createDirectories(tokenFile.getParent());
        writeTokenFile("""
                # gitops-status tokens for the integration test
                # NAME  SHA256_HEX  SCOPE ...

                ci      %s   write:prod-* write:lab
                """.formatted(sha256Hex(ciToken)));
        // A data file from before: a server not seen for years (retention removes it), one seen a
        // minute ago, and one in a group that the ci token may not write.
        String minuteAgo = utc(Instant.now().minusSeconds(60));
        Files.createDirectories(c.dataDir());
        Files.writeString(c.statusFile(), """
                {"version": "2.0", "servers": {
                "lab/gone-01": %s,
                "lab/kept-01": %s,
                "staging-web/web-09": %s
                }}
                """.formatted(storedRecord("lab", "gone-01", "2020-01-01T00:00:00Z"),
                storedRecord("lab", "kept-01", minuteAgo), storedRecord("staging-web", "web-09", minuteAgo)),
                StandardCharsets.UTF_8);

        long t0 = System.nanoTime();
        c.start();
        System.out.printf("[%s] TIMING secured start, application ready: %d ms%n", c.id(),
                (System.nanoTime() - t0) / 1_000_000);
    }

    @AfterAll
    void stopContainer() {
        if (c != null && c.isStarted()) {
            long t0 = System.nanoTime();
            c.stop();
            System.out.printf("[%s] TIMING secured stop: %d ms%n", c.id(), (System.nanoTime() - t0) / 1_000_000);
        }
    }

    // ---- start-up ------------------------------------------------------------------------------

    @Test
    @Order(1)
    void startsWithTheContextParametersRetentionRemovesTheServerNotSeen() {
        List<String> starts = c.appStarts();
        assertEquals(1, starts.size(), starts.toString());
        assertTrue(starts.get(0).contains("data file " + c.statusFile() + " (from context parameter statusFile)"),
                starts.get(0));
        assertTrue(starts.get(0).contains(tokenFile.toString()), "the token file of the context parameter: "
                + starts.get(0));

        // Probes need no token.
        Answer health = send("GET", "/health", null, null, null);
        assertOkJson(health);
        assertEquals(json("{\"status\": \"up\"}"), health.json());

        // retainFor: the first sweep runs at start-up and removes the server not seen since 2020,
        // with a log line naming it; the server seen a minute ago stays.
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (System.nanoTime() < deadline && !logContains("retention: removed lab/gone-01")) {
            CargoContainer.pause(Duration.ofMillis(100));
        }
        assertTrue(logContains("retention: removed lab/gone-01"), "no retention line in " + c.log());
        assertFalse(logContains("retention: removed lab/kept-01"));
        assertReady(2);

        // No token has the read scope yet: reads are open.
        assertEquals(Set.of("lab/kept-01", "staging-web/web-09"), keys(rowsOf(send("GET", "/status", null, null, null))));
    }

    // ---- writes ---------------------------------------------------------------------------------

    @Test
    @Order(2)
    void writesNeedATokenWhoseScopesCoverTheGroup() throws IOException {
        String prodWeb = pipeline("prod-web", "web-01", "synced");

        // 401 without a valid token: none, an unknown one, another scheme, the hash instead of the token.
        assertUnauthorized(send("POST", "/status/pipeline", null, "application/json", prodWeb));
        assertUnauthorized(send("POST", "/status/pipeline", "Bearer " + randomToken(), "application/json", prodWeb));
        assertUnauthorized(send("POST", "/status/pipeline", "Basic " + Base64.getEncoder()
                .encodeToString(("ci:" + ciToken).getBytes(StandardCharsets.UTF_8)), "application/json", prodWeb));
        assertUnauthorized(send("POST", "/status/pipeline", "Bearer " + sha256Hex(ciToken), "application/json", prodWeb));
        assertUnauthorized(send("POST", "/status/cron", null, "application/json",
                "{\"server_group\": \"lab\", \"host\": \"kept-01\", \"status\": \"failed\"}"));

        // 403 for a group outside the token's scopes (write:prod-* write:lab), on every write endpoint.
        assertError(send("POST", "/status/pipeline", bearer(ciToken), "application/json",
                pipeline("staging-web", "web-01", "synced")), 403, "forbidden");
        assertError(send("POST", "/status/cron", bearer(ciToken), "application/json",
                "{\"server_group\": \"staging-web\", \"host\": \"web-09\", \"status\": \"failed\"}"), 403, "forbidden");
        assertError(send("POST", "/status/pipeline", bearer(ciToken), "application/json",
                pipeline("lab-2", "web-01", "synced")), 403, "forbidden"); // the glob is the whole group
        assertError(send("POST", "/api/status", bearer(ciToken), "application/json", """
                {"repo": "staging-rsyslog", "server": "rsyslog-01", "sync_status": "SYNCED"}"""), 403, "forbidden");
        assertUnauthorized(send("POST", "/api/status", null, "application/json", """
                {"repo": "lab", "server": "rsyslog-lab", "sync_status": "SYNCED"}"""));
        assertEquals(Set.of("lab/kept-01", "staging-web/web-09"), keys(rowsOf(get("/status", null))),
                "a refused write changes nothing");

        // 200 within the scopes; the record keeps the token's name, never the token.
        JsonNode created = assertWritten(send("POST", "/status/pipeline", bearer(ciToken), "application/json", prodWeb),
                "created");
        assertEquals("ci", created.get("written_by_token").textValue(), created.toString());
        JsonNode cron = assertWritten(send("POST", "/status/cron", "bearer " + ciToken, "application/json",
                "{\"server_group\": \"prod-web\", \"host\": \"web-01\", \"status\": \"out_of_sync\","
                + " \"changed_files\": [\"/etc/nginx/nginx.conf\"]}"), "updated");
        assertEquals("ci", cron.get("written_by_token").textValue(), "the scheme's case does not matter");
        JsonNode legacy = assertWritten(send("POST", "/api/status", bearer(ciToken), "application/json", """
                {"repo": "lab", "server": "rsyslog-lab", "sync_status": "OUT_OF_SYNC", "drift_count": 1,
                 "files": [{"name": "rsyslog.conf"}]}"""), "created");
        assertEquals("ci", legacy.get("written_by_token").textValue(), legacy.toString());
        assertEquals("legacy-api", legacy.get("updated_by").textValue(), legacy.toString());
        JsonNode row = get("/status/prod-web/web-01", null).json();
        assertRowShape(row);
        assertEquals(cron, row, "the row read back");

        // Deletions: the same rules. The bulk deletion would touch a group outside the scopes, so
        // it deletes nothing.
        assertUnauthorized(send("DELETE", "/status/prod-web/web-01", null, null, null));
        assertUnauthorized(send("DELETE", "/status/prod-web", null, null, null));
        assertUnauthorized(send("POST", "/status/delete", null, "application/json", "{\"server_group\": \"prod-web\"}"));
        assertError(send("DELETE", "/status/staging-web/web-09", bearer(ciToken), null, null), 403, "forbidden");
        assertError(send("DELETE", "/status/staging-web", bearer(ciToken), null, null), 403, "forbidden");
        assertError(send("POST", "/status/delete", bearer(ciToken), "application/json",
                "{\"server_group\": [\"prod-web\", \"staging-web\"]}"), 403, "forbidden");
        assertEquals(Set.of("lab/kept-01", "lab/rsyslog-lab", "prod-web/web-01", "staging-web/web-09"),
                keys(rowsOf(get("/status", null))), "a refused deletion deletes nothing");
        assertWritten(send("POST", "/status/pipeline", bearer(ciToken), "application/json",
                pipeline("prod-web", "web-02", "failed")), "created");
        Answer deleted = send("DELETE", "/status/prod-web/web-02", bearer(ciToken), null, null);
        assertEquals(204, deleted.status(), deleted.request() + ": " + deleted.body());
        Answer bulk = send("POST", "/status/delete", bearer(ciToken), "application/json",
                "{\"server_group\": \"lab\", \"host\": \"rsyslog-lab\"}");
        assertOkJson(bulk);
        assertEquals(json("{\"deleted\": [\"lab/rsyslog-lab\"]}"), bulk.json());

        // The token is in no log line and in no store file.
        assertTokensNowhere();
    }

    // ---- the other settings ---------------------------------------------------------------------

    @Test
    @Order(3)
    void staleAfterAndHistorySizeComeFromTheContextParameters() {
        Instant t0 = Instant.now();
        // staleAfter PT5M (the JVM's gitops.stale.after says PT99H, the default is 30 minutes)
        assertWritten(send("POST", "/status/pipeline", bearer(ciToken), "application/json",
                pipeline("lab", "stale-01", "synced")), "created");
        JsonNode stale = assertWritten(send("POST", "/status/cron", bearer(ciToken), "application/json",
                "{\"server_group\": \"lab\", \"host\": \"stale-01\", \"last_cron_check\": \""
                + utc(t0.minus(Duration.ofMinutes(7))) + "\"}"), "updated");
        assertTrue(stale.get("stale").booleanValue(), "a drift check 7 minutes ago, staleAfter PT5M: " + stale);
        assertWritten(send("POST", "/status/pipeline", bearer(ciToken), "application/json",
                pipeline("lab", "fresh-01", "synced")), "created");
        JsonNode fresh = assertWritten(send("POST", "/status/cron", bearer(ciToken), "application/json",
                "{\"server_group\": \"lab\", \"host\": \"fresh-01\", \"last_cron_check\": \""
                + utc(t0.minus(Duration.ofMinutes(3))) + "\"}"), "updated");
        assertFalse(fresh.get("stale").booleanValue(), "a drift check 3 minutes ago, staleAfter PT5M: " + fresh);
        assertEquals(Set.of("lab/stale-01"), keys(rowsOf(get("/status?stale=true", null))));
        Answer metrics = get("/metrics", null);
        assertEquals(200, metrics.status(), metrics.request());
        assertEquals(1.0, value(samples(metrics.body()), "gitops_stale", "server_group", "lab", "host", "stale-01"));
        assertEquals(1.0, value(samples(metrics.body()), "gitops_hosts_stale"));

        // historySize 2 (the JVM's gitops.history.size says 7, the default is 20): four changes, two kept.
        assertWritten(send("POST", "/status/pipeline", bearer(ciToken), "application/json",
                pipeline("lab", "flappy-01", "synced")), "created");
        for (String status : List.of("out_of_sync", "failed", "synced")) {
            assertWritten(send("POST", "/status/cron", bearer(ciToken), "application/json",
                    "{\"server_group\": \"lab\", \"host\": \"flappy-01\", \"status\": \"" + status + "\"}"), "updated");
        }
        List<JsonNode> history = rowsOf(get("/status/lab/flappy-01/history", null));
        assertEquals(HISTORY_SIZE, history.size(), history.toString());
        assertEquals(List.of("failed", "synced"), List.of(history.get(0).get("from").textValue(),
                history.get(0).get("to").textValue()), "newest first: " + history);
        assertEquals(List.of("out_of_sync", "failed"), List.of(history.get(1).get("from").textValue(),
                history.get(1).get("to").textValue()), history.toString());
    }

    // ---- reads and the token file's edits --------------------------------------------------------

    @Test
    @Order(4)
    void readsNeedTheReadScopeOnceATokenHasItAndEditsTakeEffectWithoutARestart() throws IOException {
        writeTokenFile("""
                ci       %s   write:prod-* write:lab
                grafana  %s   read
                new-ci   %s   write:new-*
                """.formatted(sha256Hex(ciToken), sha256Hex(grafanaToken), sha256Hex(newToken)));

        List<String> reads = List.of("/", "/status", "/status?stale=true", "/status/files", "/status/summary",
                "/status/prod-web", "/status/prod-web/web-01", "/status/prod-web/web-01/history", "/events",
                "/metrics", "/api/status", "/status.json");
        for (String path : reads) {
            assertUnauthorized(get(path, null));
            assertError(get(path, bearer(ciToken)), 403, "forbidden");
            Answer ok = get(path, bearer(grafanaToken));
            assertEquals(200, ok.status(), ok.request() + ": " + abbreviate(ok.body()));
        }
        // Probes stay open, with or without a token.
        for (String path : List.of("/health", "/ready")) {
            assertOkJson(get(path, null));
            assertOkJson(get(path, bearer(randomToken())));
            assertOkJson(get(path, bearer(ciToken)));
        }
        // A read token writes nothing; the new token writes its groups, from the next request on.
        assertError(send("POST", "/status/pipeline", bearer(grafanaToken), "application/json",
                pipeline("prod-web", "web-01", "synced")), 403, "forbidden");
        assertError(send("POST", "/status/pipeline", bearer(newToken), "application/json",
                pipeline("prod-web", "web-01", "synced")), 403, "forbidden");
        JsonNode byNew = assertWritten(send("POST", "/status/pipeline", bearer(newToken), "application/json",
                pipeline("new-web", "web-01", "synced")), "created");
        assertEquals("new-ci", byNew.get("written_by_token").textValue(), byNew.toString());

        // An edit that leaves the file malformed keeps the tokens read before, and is logged.
        Files.writeString(tokenFile, "this line has no hash\n", StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.APPEND);
        assertEquals(200, get("/status", bearer(grafanaToken)).status(), "the tokens read before stay in force");
        assertWritten(send("POST", "/status/cron", bearer(newToken), "application/json",
                "{\"server_group\": \"new-web\", \"host\": \"web-01\", \"status\": \"out_of_sync\"}"), "updated");
        assertTrue(logContains("changed but cannot be used"), "the bad edit is logged: " + c.log());

        // Revoking: ci's line removed, ci is refused at the next request; the others keep working.
        writeTokenFile("""
                grafana  %s   read
                new-ci   %s   write:new-*
                """.formatted(sha256Hex(grafanaToken), sha256Hex(newToken)));
        assertUnauthorized(send("POST", "/status/cron", bearer(ciToken), "application/json",
                "{\"server_group\": \"prod-web\", \"host\": \"web-01\", \"status\": \"synced\"}"));
        assertUnauthorized(send("DELETE", "/status/prod-web/web-01", bearer(ciToken), null, null));
        assertEquals(200, get("/status", bearer(grafanaToken)).status());
        assertEquals(1, c.appStarts().size(), "all of it without a restart");
        assertTokensNowhere();
    }

    // ---- settings that stop the application ------------------------------------------------------

    @Test
    @Order(5)
    void aMalformedTokenFileStopsTheApplication() throws IOException {
        keysBeforeFailures = keys(rowsOf(get("/status", bearer(grafanaToken))));
        Path broken = tokenFile.resolveSibling("tokens-broken");
        Files.writeString(broken, """
                # line 1: a comment
                grafana  %s   read
                grafana-without-scope  %s
                """.formatted(sha256Hex(grafanaToken), sha256Hex(randomToken())), StandardCharsets.UTF_8);

        String failure = redeployExpectingFailure(settings(broken, STALE_AFTER));
        assertTrue(failure.contains(broken + " line 3"), "names the file and the line: " + failure);
        assertNotServing();
    }

    @Test
    @Order(6)
    void anUnusableStaleAfterStopsTheApplication() throws IOException {
        String failure = redeployExpectingFailure(settings(tokenFile, "30m"));
        assertTrue(failure.contains("staleAfter") && failure.contains("30m"), "names the setting: " + failure);
        assertNotServing();
    }

    @Test
    @Order(7)
    void theCorrectedDescriptorStartsItAgainWithItsData() throws IOException {
        int starts = c.appStarts().size();
        c.rewriteDescriptor(settings(tokenFile, STALE_AFTER));
        c.awaitAppStart(starts);
        assertEquals(starts + 1, c.appStarts().size());
        assertReady(keysBeforeFailures.size());
        List<JsonNode> rows = rowsOf(get("/status", bearer(grafanaToken)));
        assertEquals(keysBeforeFailures, keys(rows), "the failed starts left the data alone");
        assertEquals("ci", rows.stream().filter(r -> key(r).equals("prod-web/web-01")).findFirst().orElseThrow()
                .get("written_by_token").textValue());
        assertUnauthorized(get("/status", null));
        assertWritten(send("POST", "/status/cron", bearer(newToken), "application/json",
                "{\"server_group\": \"new-web\", \"host\": \"web-01\", \"status\": \"synced\"}"), "updated");
    }

    // ---- helpers ----------------------------------------------------------------------------------

    /** The context parameters of this deployment (after statusFile). */
    private static Map<String, String> settings(Path tokens, String staleAfter) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("tokenFile", tokens.toString());
        settings.put("staleAfter", staleAfter);
        settings.put("retainFor", RETAIN_FOR);
        settings.put("historySize", Integer.toString(HISTORY_SIZE));
        return settings;
    }

    /**
     * Changes the descriptor, waits for the application's refusal to start in the log, and returns
     * that line; no new start of the application meanwhile.
     */
    private String redeployExpectingFailure(Map<String, String> settings) throws IOException {
        int starts = c.appStarts().size();
        int failures = notStartedLines().size();
        long t0 = System.nanoTime();
        c.rewriteDescriptor(settings);
        long deadline = t0 + REDEPLOY_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline && notStartedLines().size() <= failures) {
            CargoContainer.pause(Duration.ofMillis(100));
        }
        List<String> lines = notStartedLines();
        assertTrue(lines.size() > failures, "the application did not refuse to start within "
                + REDEPLOY_TIMEOUT.toSeconds() + " s; log tail:\n" + c.logTail(40));
        System.out.printf("[%s] TIMING redeploy, start refused: %d ms%n", c.id(), (System.nanoTime() - t0) / 1_000_000);
        CargoContainer.pause(Duration.ofMillis(500)); // let the container finish marking it failed
        assertEquals(starts, c.appStarts().size(), "the application must not start: " + c.appStarts());
        return lines.get(lines.size() - 1);
    }

    /**
     * The failed application answers nothing: the container answers 404 or 503 for its context,
     * /ready included, several times over a second.
     */
    private void assertNotServing() {
        for (int i = 0; i < 5; i++) {
            for (Answer a : List.of(get("/ready", null), get("/health", null), get("/status", bearer(grafanaToken)))) {
                assertTrue(a.status() == 404 || a.status() == 503, "a context that failed to start must not serve: "
                        + a.request() + " -> " + a.status() + " " + abbreviate(a.body()));
                if (i == 0) {
                    System.out.printf("[%s] failed context: %s -> %d%n", c.id(), a.request(), a.status());
                }
            }
            Answer write = send("POST", "/status/pipeline", bearer(newToken), "application/json",
                    pipeline("new-web", "web-02", "synced"));
            assertTrue(write.status() == 404 || write.status() == 503, write.request() + " -> " + write.status());
            CargoContainer.pause(Duration.ofMillis(200));
        }
    }

    private List<String> notStartedLines() {
        return c.logLines().stream().filter(line -> line.contains(NOT_STARTED)).toList();
    }

    private boolean logContains(String text) {
        return c.logLines().stream().anyMatch(line -> line.contains(text));
    }

    private void assertReady(int servers) {
        Answer ready = get("/ready", null);
        assertOkJson(ready);
        assertEquals(json("{\"status\": \"ready\", \"store\": {\"kind\": \"file\", \"path\": \"%s\", \"servers\": %d}}"
                .formatted(c.statusFile(), servers)), ready.json());
    }

    /** No token (the secrets, not their names) in the container's log or in the data folder's files. */
    private void assertTokensNowhere() throws IOException {
        List<String> texts = new ArrayList<>(c.logLines());
        try (var files = Files.list(c.dataDir())) {
            for (Path file : files.toList()) {
                texts.add(Files.readString(file, StandardCharsets.ISO_8859_1));
            }
        }
        for (String token : List.of(ciToken, grafanaToken, newToken)) {
            assertTrue(texts.stream().noneMatch(t -> t.contains(token)), "a token was logged or stored");
        }
    }

    /** A 200 write answer with the given result; its record, which has every row field. */
    private static JsonNode assertWritten(Answer a, String result) {
        assertOkJson(a);
        JsonNode body = a.json();
        assertEquals(result, body.path("result").textValue(), a.request() + ": " + a.body());
        JsonNode record = body.get("record");
        assertRowShape(record);
        return record;
    }

    /** 401 unauthorized as our JSON, with a Bearer challenge. */
    private static void assertUnauthorized(Answer a) {
        assertError(a, 401, "unauthorized");
        String challenge = a.header("WWW-Authenticate");
        assertNotNull(challenge, a.request() + ": 401 without WWW-Authenticate");
        assertTrue(challenge.startsWith("Bearer"), a.request() + ": WWW-Authenticate " + challenge);
    }

    private static List<JsonNode> rowsOf(Answer a) {
        assertOkJson(a);
        List<JsonNode> rows = new ArrayList<>();
        a.json().forEach(rows::add);
        return rows;
    }

    private static String pipeline(String group, String host, String status) {
        return """
                {"server_group": "%s", "host": "%s", "environment": "prod", "status": "%s", "commit_sha": "abc1234"}"""
                .formatted(group, host, status);
    }

    /** A record of the data file as the service writes it (v2.0 format). */
    private static String storedRecord(String group, String host, String seen) {
        return """
                {"server_group": "%s", "host": "%s", "project_name": null, "repo_name": null, "server_type": null,
                 "environment": "lab", "status": "synced", "changed_files": [], "validation_status": null,
                 "validation_message": null, "commit_sha": null, "branch": null, "updated_by": "seed",
                 "labels": {}, "last_pipeline_run": "%s", "last_cron_check": null, "timestamp": "%s"}"""
                .formatted(group, host, seen, seen);
    }

    private void writeTokenFile(String content) throws IOException {
        // A new file renamed over the old one, so that the service never reads half an edit.
        Path next = tokenFile.resolveSibling("tokens.next");
        Files.writeString(next, content, StandardCharsets.UTF_8);
        Files.move(next, tokenFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static String bearer(String token) {
        return "Bearer " + token;
    }

    private static String randomToken() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    /** What the token file holds for a token: its SHA-256, lower-case hex (sha256sum's output). */
    static String sha256Hex(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- HTTP -------------------------------------------------------------------------------------

    private Answer get(String path, String authorization) {
        return send("GET", path, authorization, null, null);
    }

    /**
     * A request with an optional {@code Authorization} header. Reads share one keep-alive
     * connection, as Grafana's do; a request with a body goes on a connection of its own, since a
     * refused one (401, 403) is answered before its body is read (see DeployedWarIT#refused).
     */
    private Answer send(String method, String path, String authorization, String contentType, String body) {
        HttpClient client = body == null ? http : HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        URI uri = URI.create(c.baseUrl() + path);
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? BodyPublishers.noBody() : BodyPublishers.ofString(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        String what = method + " " + uri + (authorization == null ? "" : " (" + authorization.split(" ")[0] + " ...)");
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
}
