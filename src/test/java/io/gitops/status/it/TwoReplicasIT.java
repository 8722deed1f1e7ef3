package io.gitops.status.it;

import static io.gitops.status.it.DeployedWarIT.abbreviate;
import static io.gitops.status.it.DeployedWarIT.assertOkJson;
import static io.gitops.status.it.DeployedWarIT.json;
import static io.gitops.status.it.DeployedWarIT.keys;
import static io.gitops.status.it.DeployedWarIT.rows;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.gitops.status.TestPostgres;
import io.gitops.status.it.DeployedWarIT.Answer;
import io.gitops.status.notify.WebhookReceiver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
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
 * Two Tomcat 10.1 instances, A and B, each with the built WAR and its own CATALINA_BASE and ports
 * (ephemeral ports that the system hands out, see {@link CargoContainer}; never a service's well-known
 * port such as PostgreSQL's 5432), both on one PostgreSQL
 * database named by the context parameter {@code storeUrl}, as two replicas of the service behind a
 * load balancer would be. The database is a fresh one from {@link TestPostgres}.
 *
 * <p>Over real HTTP: a write through one replica is read through the other within
 * {@value #CATCH_UP_MILLIS} ms, and both then answer the same list with the same {@code ETag};
 * {@code /ready}, {@code GET /} and the start-up log name the store without its user or password
 * (the URL carries a password, the server's or else one that trust authentication ignores, and it
 * appears in no answer and in neither Tomcat's logs);
 * deletions through one are seen through the other; Tomcat A is killed with SIGKILL under a write
 * load on both, after which every write either replica acknowledged is read through B, and A,
 * started again, serves the same; and with a short {@code retainFor} set on both (a redeploy), each
 * old host is removed, and logged as removed, exactly once across the two replicas.
 *
 * <p>One container kind is enough for a property of the store; in the other failsafe executions
 * the class is skipped. The methods build on each other, in {@link Order}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TwoReplicasIT {

    static final String CONTAINER = "tomcat10x";
    /** Put into storeUrl when the tests' server has none: trust authentication ignores it. */
    static final String IGNORED_PASSWORD = "nottherealone";
    /** How soon one replica must show another's write (the store promises about a second). */
    static final long CATCH_UP_MILLIS = 2_000;
    static final Duration CATCH_UP = Duration.ofMillis(CATCH_UP_MILLIS);
    /** The retention of the last test: the sweep runs every second. */
    static final String RETAIN_FOR = "PT3S";
    static final int FRESH_HOSTS = 20;
    static final int WRITERS = 12;
    static final String RETENTION_LINE = "retention: removed ";

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private TestPostgres.Database db;
    /** The storeUrl context parameter: the database's URL, user and password included. */
    private String storeUrl;
    /** The password in storeUrl, which must show up nowhere. */
    private String password;
    /** The URL as the service must show it: without user and password. */
    private String shownUrl;
    private Replica a;
    private Replica b;

    @BeforeAll
    void startTwoTomcats() throws Exception {
        assumeTrue(CONTAINER.equals(System.getProperty("it.container")),
                "the two-replica tests run in " + CONTAINER + " only");
        db = TestPostgres.database(TwoReplicasIT.class.getSimpleName());
        password = db.password() != null ? db.password() : IGNORED_PASSWORD;
        storeUrl = db.password() != null ? db.jdbcUrl()
                : db.jdbcUrl() + (db.jdbcUrl().contains("?") ? "&" : "?") + "password=" + IGNORED_PASSWORD;
        shownUrl = withoutCredentials(storeUrl);
        assertTrue(shownUrl.contains(db.name()) && !shownUrl.contains("user=") && !shownUrl.contains(password), shownUrl);

        // A decoy that the context parameter must win over: a database that does not exist.
        Map<String, String> decoys = Map.of("gitops.store.url", "jdbc:postgresql://127.0.0.1:5432/gitops_decoy_absent");
        a = new Replica("A", CargoContainer.fromSystemProperties("replica-a", settings(Map.of()), decoys));
        b = new Replica("B", CargoContainer.fromSystemProperties("replica-b", settings(Map.of()), decoys));
        // Together, as replicas are deployed: the schema is migrated once, under Flyway's lock.
        long t0 = System.nanoTime();
        CompletableFuture<Void> startA = CompletableFuture.runAsync(a.c::start);
        CompletableFuture<Void> startB = CompletableFuture.runAsync(b.c::start);
        CompletableFuture.allOf(startA, startB).get(5, TimeUnit.MINUTES);
        timing("both Tomcats started, applications ready", t0);
    }

    @AfterAll
    void stopTwoTomcats() {
        for (Replica r : Arrays.asList(a, b)) {
            if (r != null && r.c.isStarted()) {
                try {
                    r.c.stop();
                } catch (RuntimeException e) {
                    System.out.println("[" + r.name + "] could not stop: " + e);
                }
            }
        }
        if (db != null) {
            db.drop();
        }
    }

    /** storeUrl, then {@code more}; statusFile (set by CargoContainer) is ignored once storeUrl is set. */
    private Map<String, String> settings(Map<String, String> more) {
        Map<String, String> parameters = new LinkedHashMap<>();
        parameters.put("storeUrl", storeUrl);
        parameters.putAll(more);
        return parameters;
    }

    // ---- the store, named without credentials ----------------------------------------------------

    @Test
    @Order(1)
    void bothNameTheDatabaseWithoutUserOrPassword() {
        for (Replica r : List.of(a, b)) {
            List<String> starts = r.c.appStarts();
            assertEquals(1, starts.size(), r + ": " + starts);
            assertTrue(starts.get(0).contains(": PostgreSQL store at " + shownUrl + " (from context parameter storeUrl)"),
                    r + " start-up line: " + starts.get(0));
            assertTrue(r.c.logLines().stream().anyMatch(line -> line.contains("status store on " + shownUrl + ": ")),
                    r + ": no line of the store having loaded in " + r.c.log());
            for (String line : r.c.logLines()) {
                if (line.contains("io.gitops.status") || line.contains("gitops-status")) {
                    assertFalse(line.contains("user=") || line.contains("password="), r + " logs a credential: " + line);
                }
            }

            Answer ready = r.get("/ready");
            assertOkJson(ready);
            assertEquals(json("{\"status\": \"ready\", \"store\": {\"kind\": \"postgresql\", \"url\": \"%s\", \"servers\": 0}}"
                    .formatted(shownUrl)), ready.json(), r + " /ready");
            Answer root = r.get("/", "Accept", "application/json");
            assertOkJson(root);
            assertEquals(json("{\"kind\": \"postgresql\", \"url\": \"%s\"}".formatted(shownUrl)), root.json().get("store"),
                    r + " GET /");
            assertFalse(ready.body().contains(password) || root.body().contains(password));
        }
        assertPasswordInNoLog();
    }

    // ---- a write through one is read through the other -------------------------------------------

    @Test
    @Order(2)
    void aWriteThroughOneIsReadThroughTheOther() {
        JsonNode fromA = a.write("two", "from-a", "synced", "a1");
        assertEquals(fromA, b.awaitRow("two/from-a"), "B's copy of A's write");
        JsonNode fromB = b.write("two", "from-b", "failed", "b1");
        assertEquals(fromB, a.awaitRow("two/from-b"), "A's copy of B's write");

        // An update of A's record through B, read through A.
        JsonNode updated = b.write("two", "from-a", "out_of_sync", "a2");
        long t0 = System.nanoTime();
        await("A shows B's update of two/from-a", () -> updated.equals(a.row("two/from-a")));
        System.out.printf("[A] update through B read through A after %d ms%n", (System.nanoTime() - t0) / 1_000_000);
        Answer history = a.get("/status/two/from-a/history");
        assertOkJson(history);
        assertEquals(2, history.json().size(), "A's record and B's update, in the history read through A: " + history.body());

        // Both have caught up: the same answer, hence the same ETag, and each honours the other's tag.
        for (String path : List.of("/status", "/status/two", "/status/two/from-a", "/status/summary")) {
            assertSameAnswerWithSameETag(path);
        }
    }

    // ---- deletions -----------------------------------------------------------------------------------

    @Test
    @Order(3)
    void deletionsThroughOneAreSeenThroughTheOther() {
        for (String host : List.of("h1", "h2", "h3", "h4")) {
            a.write("del", host, "synced", "d1");
        }
        b.write("del-group", "g1", "synced", "d1");
        b.write("del-group", "g2", "failed", "d1");
        await("B shows A's del/*", () -> keys(rows(b.get("/status/del"))).size() == 4);
        await("A shows B's del-group/*", () -> keys(rows(a.get("/status/del-group"))).size() == 2);

        // One host, through B.
        Answer deleted = b.send("DELETE", "/status/del/h1", null);
        assertEquals(204, deleted.status(), deleted.request() + ": " + deleted.body());
        await("A no longer shows del/h1", () -> a.get("/status/del/h1").status() == 404);

        // Bulk, through A.
        Answer bulk = a.send("POST", "/status/delete", "{\"server_group\": \"del\", \"host\": [\"h2\", \"h3\"]}");
        assertOkJson(bulk);
        assertEquals(json("{\"deleted\": [\"del/h2\", \"del/h3\"]}"), bulk.json());
        await("B no longer shows del/h2 and del/h3", () -> keys(rows(b.get("/status/del"))).equals(Set.of("del/h4")));

        // A whole group, through B.
        Answer group = b.send("DELETE", "/status/del-group", null);
        assertEquals(204, group.status(), group.request() + ": " + group.body());
        await("A no longer shows del-group", () -> rows(a.get("/status/del-group")).isEmpty());

        assertEquals(Set.of("del/h4", "two/from-a", "two/from-b"), keys(rows(a.get("/status"))));
        assertSameAnswerWithSameETag("/status");
        assertSameAnswerWithSameETag("/events?server_group=del");
    }

    // ---- a replica killed under load -----------------------------------------------------------------

    @Test
    @Order(4)
    void tomcatAKilledUnderLoadLosesNoAcknowledgedWrite() throws Exception {
        // Each writer updates a host of its own and creates a new host, in turns, on its replica.
        Map<String, Long> lastAcknowledged = new ConcurrentHashMap<>(); // own host -> newest acknowledged seq
        Set<String> created = ConcurrentHashMap.newKeySet();
        AtomicLong sequence = new AtomicLong();
        AtomicLong killedAt = new AtomicLong(Long.MAX_VALUE);
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
        List<Future<WriterResult>> writers = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
            Replica target = w % 2 == 0 ? a : b;
            String own = "writer-" + w;
            writers.add(pool.submit(() -> {
                WriterResult result = new WriterResult(target);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                boolean update = false;
                while (!stop.get() && System.nanoTime() < deadline) {
                    long seq = sequence.incrementAndGet();
                    update = !update;
                    String host = update ? own : "new-" + seq;
                    long sentAt = System.nanoTime();
                    Answer answer;
                    try {
                        answer = target.send("POST", "/status/pipeline", pipeline("crash", host, "synced", Long.toString(seq)));
                    } catch (UncheckedIOException e) {
                        result.connectionError = e.getCause(); // not acknowledged; the replica is gone
                        return result;
                    }
                    if (answer.status() != 200) {
                        result.unexpected = answer.request() + ": " + answer.status() + " " + abbreviate(answer.body());
                        return result;
                    }
                    if (host.equals(own)) {
                        lastAcknowledged.merge(own, seq, Math::max);
                    } else {
                        created.add(host);
                    }
                    result.acknowledged++;
                    if (sentAt > killedAt.get()) {
                        result.acknowledgedAfterKill++;
                    }
                }
                return result;
            }));
        }

        CargoContainer.pause(Duration.ofSeconds(2)); // both under load
        killedAt.set(System.nanoTime());
        long pid = a.c.kill();
        System.out.printf("[A] SIGKILL of Tomcat A (pid %d) under load%n", pid);
        CargoContainer.pause(Duration.ofSeconds(2)); // B alone
        stop.set(true);
        List<WriterResult> results = new ArrayList<>();
        for (Future<WriterResult> writer : writers) {
            results.add(writer.get(60, TimeUnit.SECONDS));
        }
        pool.shutdownNow();
        System.out.println("writers: " + results);

        for (WriterResult r : results) {
            assertNull(r.unexpected, r.target + ": a write was answered but not acknowledged");
            assertTrue(r.acknowledged > 0, r + " wrote nothing");
            if (r.target == a) {
                assertNotNull(r.connectionError, r + ": went on writing to a killed Tomcat");
                assertInstanceOf(IOException.class, r.connectionError, r.toString());
            } else {
                assertNull(r.connectionError, r + ": B failed while A was killed");
                assertTrue(r.acknowledgedAfterKill > 0, r + ": B acknowledged nothing after A was killed");
            }
        }
        UncheckedIOException refused = assertThrows(UncheckedIOException.class,
                () -> a.send("POST", "/status/pipeline", pipeline("crash", "after-kill", "synced", "0")));
        assertInstanceOf(ConnectException.class, refused.getCause(), "A is gone: " + refused.getCause());

        // Everything either replica acknowledged is read through B: A's last commits reach B within
        // the catch-up time, B's own at once.
        long deadline = System.nanoTime() + CATCH_UP.toNanos();
        String lost;
        while ((lost = holds(b, lastAcknowledged, created)) != null && System.nanoTime() < deadline) {
            CargoContainer.pause(Duration.ofMillis(50));
        }
        assertNull(lost, "B, " + CATCH_UP_MILLIS + " ms after the load");
        System.out.printf("B holds %d hosts created and %d updated hosts, all acknowledged%n", created.size(),
                lastAcknowledged.size());

        long t0 = System.nanoTime();
        a.c.start();
        timing("Tomcat A started again after SIGKILL, application ready", t0);
        assertNull(holds(a, lastAcknowledged, created), "A after its restart");
        assertSameAnswerWithSameETag("/status/crash");
        assertSameAnswerWithSameETag("/status");
    }

    // ---- retention on two replicas ---------------------------------------------------------------------

    @Test
    @Order(5)
    void retentionOnTwoReplicasRemovesEachOldHostOnce() throws Exception {
        Set<String> old = keys(rows(b.get("/status")));
        int logA = a.c.logLines().size();
        int logB = b.c.logLines().size();
        int startsA = a.c.appStarts().size();
        int startsB = b.c.appStarts().size();
        long t0 = System.nanoTime();
        a.c.rewriteDescriptor(settings(Map.of("retainFor", RETAIN_FOR)));
        b.c.rewriteDescriptor(settings(Map.of("retainFor", RETAIN_FOR)));
        a.c.awaitAppStart(startsA);
        b.c.awaitAppStart(startsB);
        timing("both redeployed with retainFor " + RETAIN_FOR, t0);

        // A host that keeps reporting, through either replica, stays.
        a.write("retention", "kept", "synced", "k0");
        ScheduledExecutorService heartbeat = Executors.newSingleThreadScheduledExecutor();
        AtomicLong beats = new AtomicLong();
        List<String> missedBeats = new CopyOnWriteArrayList<>();
        heartbeat.scheduleWithFixedDelay(() -> {
            long beat = beats.incrementAndGet();
            try {
                Answer answer = (beat % 2 == 0 ? a : b).send("POST", "/status/pipeline",
                        pipeline("retention", "kept", "synced", "k" + beat));
                if (answer.status() != 200) {
                    missedBeats.add(answer.request() + ": " + answer.status() + " " + abbreviate(answer.body()));
                }
            } catch (RuntimeException e) {
                missedBeats.add(e.toString());
            }
        }, 0, 500, TimeUnit.MILLISECONDS);
        Set<String> fresh = new TreeSet<>();
        try {
            // The old hosts may be gone before the later replica has even loaded them. These are held
            // by both replicas when they expire, over two seconds: both sweep for them. (last_seen is
            // to the second, so whichever replica sweeps first after a full second tends to take all.)
            for (int i = 1; i <= FRESH_HOSTS; i++) {
                Replica r = i % 2 == 0 ? a : b;
                String host = "fresh-" + r.name.toLowerCase(Locale.ROOT) + "-" + i;
                r.write("retention", host, "synced", "f");
                fresh.add("retention/" + host);
                CargoContainer.pause(Duration.ofMillis(2_000 / FRESH_HOSTS));
            }
            for (Replica r : List.of(a, b)) {
                await(Duration.ofSeconds(30), r + " keeps only retention/kept",
                        () -> keys(rows(r.get("/status"))).equals(Set.of("retention/kept")));
            }
            CargoContainer.pause(Duration.ofSeconds(3)); // three more sweeps on each replica: nothing more goes
            assertEquals(Set.of("retention/kept"), keys(rows(a.get("/status"))));
            assertEquals(Set.of("retention/kept"), keys(rows(b.get("/status"))));
        } finally {
            heartbeat.shutdownNow();
        }
        assertEquals(List.of(), missedBeats, "heartbeats of retention/kept that were not acknowledged");

        List<String> linesA = a.c.logLines().subList(logA, a.c.logLines().size());
        List<String> linesB = b.c.logLines().subList(logB, b.c.logLines().size());
        for (List<String> lines : List.of(linesA, linesB)) {
            assertTrue(lines.stream().anyMatch(line -> line.contains("retention: hosts not seen for " + RETAIN_FOR)),
                    "retention runs on both replicas");
        }
        Map<String, Integer> byA = removals(linesA);
        Map<String, Integer> byB = removals(linesB);
        System.out.printf("retention: %d removals logged by A (%d of the %d fresh hosts), %d by B (%d)%n", byA.size(),
                byA.keySet().stream().filter(fresh::contains).count(), fresh.size(), byB.size(),
                byB.keySet().stream().filter(fresh::contains).count());
        Map<String, Integer> total = new TreeMap<>(byA);
        byB.forEach((key, n) -> total.merge(key, n, Integer::sum));
        Set<String> expected = new TreeSet<>(old);
        expected.addAll(fresh);
        assertEquals(expected, total.keySet(), "every old host removed and logged, retention/kept not");
        Map<String, Integer> twice = total.entrySet().stream().filter(e -> e.getValue() != 1)
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
        assertEquals(Map.of(), twice, "hosts logged as removed more than once across the two replicas");
        assertSameAnswerWithSameETag("/status");
        assertPasswordInNoLog();
    }

    @Test
    @Order(6)
    void notificationsFromTwoReplicasArriveOnceEach() throws Exception {
        Path dir = Files.createTempDirectory("two-replicas-notify");
        try (WebhookReceiver hook = new WebhookReceiver("s3cret")) {
            Files.writeString(dir.resolve("ops.secret"), "s3cret\n");
            Path rules = dir.resolve("rules.yaml");
            Files.writeString(rules, """
                    receivers:
                      - name: ops
                        webhook: {url: "%s", secret_file: ops.secret}
                    rules:
                      - name: drift
                        match: {server_group: notify}
                        on: [out_of_sync, failed]
                        receivers: [ops]
                    """.formatted(hook.url()));
            int startsA = a.c.appStarts().size();
            int startsB = b.c.appStarts().size();
            a.c.rewriteDescriptor(settings(Map.of("notifyFile", rules.toString())));
            b.c.rewriteDescriptor(settings(Map.of("notifyFile", rules.toString())));
            a.c.awaitAppStart(startsA);
            b.c.awaitAppStart(startsB);

            List<String> hosts = List.of("n1", "n2", "n3", "n4", "n5", "n6");
            for (int i = 0; i < hosts.size(); i++) {
                Replica r = i % 2 == 0 ? a : b;
                r.write("notify", hosts.get(i), "synced", "c1");
                r.write("notify", hosts.get(i), i % 3 == 0 ? "failed" : "out_of_sync", "c1");
            }
            await(Duration.ofSeconds(30), "a firing message for each host",
                    () -> hook.messages().size() >= hosts.size());
            for (int i = 0; i < hosts.size(); i++) {
                (i % 2 == 0 ? b : a).write("notify", hosts.get(i), "synced", "c2");
            }
            await(Duration.ofSeconds(30), "a resolved message for each host",
                    () -> hook.messages().size() >= 2 * hosts.size());
            CargoContainer.pause(Duration.ofSeconds(3)); // three more looks on each replica: nothing more is sent

            Map<String, Integer> perHostAndState = new TreeMap<>();
            for (JsonNode message : hook.messages()) {
                for (JsonNode host : message.get("hosts")) {
                    perHostAndState.merge(host.get("host").asText() + " " + message.get("state").asText(), 1,
                            Integer::sum);
                }
            }
            Map<String, Integer> expected = new TreeMap<>();
            hosts.forEach(host -> expected.put(host + " firing", 1));
            hosts.forEach(host -> expected.put(host + " resolved", 1));
            assertEquals(expected, perHostAndState, "each host fired and resolved once, from one of the two replicas");
            assertEquals(hook.messages().size(), hook.requests().size(), "a message delivered twice");
            assertTrue(hook.requests().stream().allMatch(WebhookReceiver.Request::signatureValid), "signatures");
            long senders = Stream.of(a, b).filter(r -> json(r.get("/notifications").body())
                    .get("this_process_sends").asBoolean()).count();
            assertEquals(1, senders, "replicas that say they send");
        }
    }

    /** Host key -> how often a log names it as removed by retention. */
    private static Map<String, Integer> removals(List<String> lines) {
        Map<String, Integer> removed = new HashMap<>();
        for (String line : lines) {
            int at = line.indexOf(RETENTION_LINE);
            if (at >= 0) {
                int end = line.indexOf(", last seen ", at);
                removed.merge(line.substring(at + RETENTION_LINE.length(), end < 0 ? line.length() : end), 1, Integer::sum);
            }
        }
        return removed;
    }

    // ---- checks ------------------------------------------------------------------------------------------

    /** Both replicas answer {@code path} alike, with one ETag, and 304 to it on both. */
    private void assertSameAnswerWithSameETag(String path) {
        await("A and B answer " + path + " alike", () -> {
            Answer fromA = a.get(path);
            Answer fromB = b.get(path);
            return fromA.status() == 200 && fromA.body().equals(fromB.body());
        });
        Answer fromA = a.get(path);
        Answer fromB = b.get(path);
        assertEquals(fromA.body(), fromB.body(), path);
        String tag = fromA.header("ETag");
        assertNotNull(tag, fromA.request() + ": no ETag");
        assertEquals(tag, fromB.header("ETag"), path + ": ETag of A and of B");
        for (Replica r : List.of(a, b)) {
            Answer notModified = r.get(path, "If-None-Match", tag);
            assertEquals(304, notModified.status(), notModified.request() + " with If-None-Match " + tag);
        }
    }

    /** null if {@code r} lists every created host and each writer's host at its acknowledged seq or later. */
    private static String holds(Replica r, Map<String, Long> lastAcknowledged, Set<String> created) {
        Map<String, Long> stored = new HashMap<>();
        for (JsonNode row : rows(r.get("/status/crash"))) {
            stored.put(row.get("host").textValue(), Long.parseLong(row.get("commit_sha").textValue()));
        }
        List<String> lost = created.stream().filter(host -> !stored.containsKey(host)).sorted().toList();
        if (!lost.isEmpty()) {
            return r + " lost " + lost.size() + " acknowledged hosts: " + abbreviate(lost.toString());
        }
        for (Map.Entry<String, Long> writer : lastAcknowledged.entrySet()) {
            Long seq = stored.get(writer.getKey());
            if (seq == null || seq < writer.getValue()) {
                return r + ": " + writer.getKey() + " holds " + seq + ", acknowledged " + writer.getValue();
            }
        }
        return null;
    }

    /** The password occurs in neither Tomcat's output nor in any file under its logs folder. */
    private void assertPasswordInNoLog() {
        for (Replica r : List.of(a, b)) {
            List<Path> logs = new ArrayList<>(List.of(r.c.log()));
            Path folder = r.c.baseDir().resolve("logs");
            if (Files.isDirectory(folder)) {
                try (Stream<Path> files = Files.walk(folder)) {
                    files.filter(Files::isRegularFile).forEach(logs::add);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            for (Path log : logs) {
                try {
                    assertFalse(Files.readString(log, StandardCharsets.ISO_8859_1).contains(password),
                            r + ": the password is in " + log);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
    }

    /** The URL without its user and password parameters, written independently of the service's code. */
    static String withoutCredentials(String url) {
        int q = url.indexOf('?');
        if (q < 0) {
            return url;
        }
        String query = Arrays.stream(url.substring(q + 1).split("&"))
                .filter(p -> !p.startsWith("user=") && !p.startsWith("password=") && !p.isEmpty())
                .collect(Collectors.joining("&"));
        return url.substring(0, q) + (query.isEmpty() ? "" : "?" + query);
    }

    private static void await(String what, BooleanSupplier condition) {
        await(CATCH_UP, what, condition);
    }

    private static void await(Duration limit, String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("not within " + limit.toMillis() + " ms: " + what);
            }
            CargoContainer.pause(Duration.ofMillis(50));
        }
    }

    private static void timing(String what, long startNanos) {
        System.out.printf("[%s] TIMING %s: %d ms%n", CONTAINER, what, (System.nanoTime() - startNanos) / 1_000_000);
    }

    static String pipeline(String group, String host, String status, String commit) {
        return "{\"server_group\": \"%s\", \"host\": \"%s\", \"status\": \"%s\", \"commit_sha\": \"%s\"}"
                .formatted(group, host, status, commit);
    }

    /** What one writer of the crash test did. */
    private static final class WriterResult {
        final Replica target;
        int acknowledged;
        int acknowledgedAfterKill;
        Throwable connectionError;
        String unexpected;

        WriterResult(Replica target) {
            this.target = target;
        }

        @Override
        public String toString() {
            return target + ": " + acknowledged + " acknowledged (" + acknowledgedAfterKill + " after the kill)"
                    + (connectionError == null ? "" : ", then " + connectionError);
        }
    }

    /** One Tomcat with the application, and requests to it. */
    private final class Replica {
        final String name;
        final CargoContainer c;

        Replica(String name, CargoContainer c) {
            this.name = name;
            this.c = c;
        }

        Answer get(String path, String... headers) {
            return send("GET", path, null, headers);
        }

        /** A pipeline write, answered 200; returns the record written. */
        JsonNode write(String group, String host, String status, String commit) {
            Answer answer = send("POST", "/status/pipeline", pipeline(group, host, status, commit));
            assertOkJson(answer);
            return answer.json().get("record");
        }

        /** The row of {@code key}, or null while there is none. */
        JsonNode row(String key) {
            Answer answer = get("/status/" + key);
            if (answer.status() == 404) {
                return null;
            }
            assertOkJson(answer);
            return answer.json();
        }

        /** Waits for the row of {@code key} (another replica's write) and returns it. */
        JsonNode awaitRow(String key) {
            long t0 = System.nanoTime();
            await(this + " shows " + key, () -> row(key) != null);
            System.out.printf("[%s] %s read after %d ms%n", name, key, (System.nanoTime() - t0) / 1_000_000);
            return row(key);
        }

        /** One request; an answer whatever its status, an UncheckedIOException when there is none. */
        Answer send(String method, String path, String jsonBody, String... headers) {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(c.baseUrl() + path))
                    .timeout(Duration.ofSeconds(30))
                    .method(method, jsonBody == null ? BodyPublishers.noBody() : BodyPublishers.ofString(jsonBody));
            if (jsonBody != null) {
                request.header("Content-Type", "application/json");
            }
            for (int i = 0; i < headers.length; i += 2) {
                request.header(headers[i], headers[i + 1]);
            }
            String what = name + ": " + method + " " + path;
            try {
                HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
                return new Answer(what, response.statusCode(), response.headers(), response.body());
            } catch (IOException e) {
                throw new UncheckedIOException(what, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(what, e);
            }
        }

        @Override
        public String toString() {
            return "Tomcat " + name;
        }
    }
}
