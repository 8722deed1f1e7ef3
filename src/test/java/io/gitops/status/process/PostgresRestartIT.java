package io.gitops.status.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.gitops.status.TestPostgres;
import io.gitops.status.app.GitopsStatusApplication;
import io.gitops.status.config.AppConfig;
import io.gitops.status.json.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.glassfish.jersey.jetty.JettyHttpContainerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service on the PostgreSQL store, over real HTTP, under 16 writers while its database goes
 * away: every backend of the service terminated (pg_terminate_backend), or the whole server
 * restarted without a checkpoint (pg_ctlcluster restart -m immediate, as a crash would). Every
 * write answered 2xx is in the database afterwards, with its transition; the other answers are
 * 503 store_unavailable with a reason; /ready says 503 during the outage and 200 after; reads
 * answer 200 throughout from memory; and the service comes back by itself.
 *
 * <p>Restarting the server disturbs whoever else uses it for a few seconds: that test runs only
 * on the local Debian cluster ({@link TestPostgres#isLocalDebianCluster()}).
 */
class PostgresRestartIT {

    private static final int WRITERS = 16;
    private static final int HOSTS_PER_WRITER = 2;
    /** Each host's pipeline writes stay below the history kept, so that every transition can be checked. */
    private static final int MAX_PIPELINE_WRITES_PER_HOST = AppConfig.MAX_HISTORY_SIZE - 50;
    private static final String GROUP = "restart";
    private static final List<String> STATUSES = List.of("synced", "out_of_sync", "failed");
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dir;

    private TestPostgres.Database db;
    private Server server;
    private URI base;

    @BeforeEach
    void startService() throws Exception {
        db = TestPostgres.database(PostgresRestartIT.class.getSimpleName());
        AppConfig config = AppConfig.forStatusFile(dir.resolve("unused.json"))
                .withHistorySize(AppConfig.MAX_HISTORY_SIZE)
                .withDatabase(AppConfig.Database.at(db.jdbcUrl()));
        server = JettyHttpContainerFactory.createServer(URI.create("http://127.0.0.1:0/"),
                new GitopsStatusApplication(config), false);
        server.start();
        base = URI.create("http://127.0.0.1:" + ((ServerConnector) server.getConnectors()[0]).getLocalPort() + "/");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (get("ready").statusCode() != 200) {
            assertTrue(System.nanoTime() < deadline, "the service did not become ready: " + get("ready").body());
            Thread.sleep(100);
        }
    }

    @AfterEach
    void stopService() throws Exception {
        if (server != null) {
            server.stop(); // closes the store
        }
        if (db != null) {
            db.drop();
        }
    }

    @Test
    void everyBackendOfTheServiceTerminatedUnderLoad() throws Exception {
        // five times, so that some commits are in flight when their backend ends
        underLoad("pg_terminate_backend", () -> {
            for (int round = 0; round < 5; round++) {
                try (Connection c = db.connect(); PreparedStatement s = c.prepareStatement("SELECT count(pg_terminate_backend(pid))"
                        + " FROM pg_stat_activity WHERE datname = ? AND application_name = 'gitops-status'")) {
                    s.setString(1, db.name());
                    try (ResultSet r = s.executeQuery()) {
                        r.next();
                        assertTrue(r.getInt(1) > 0, "the service had backends to terminate");
                    }
                }
                Thread.sleep(300);
            }
        });
    }

    @Test
    void theDatabaseServerRestartedImmediatelyUnderLoad() throws Exception {
        assumeTrue(TestPostgres.isLocalDebianCluster(), "pg_ctlcluster restart -m immediate needs the local Debian"
                + " cluster, run as root; the tests use " + TestPostgres.serverDescription());
        underLoad("pg_ctlcluster restart -m immediate", TestPostgres::restartImmediately);
    }

    interface Disruption {
        void run() throws Exception;
    }

    /** One write as sent, and how it was answered. */
    private record Op(long seq, String host, boolean pipeline, String status, int answer, String body) {

        boolean acknowledged() {
            return answer / 100 == 2;
        }
    }

    private record Probe(long atNanos, int status, String body) {
    }

    private void underLoad(String what, Disruption disruption) throws Exception {
        Map<String, List<Op>> ops = new ConcurrentHashMap<>();
        AtomicLong sequence = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger acknowledged = new AtomicInteger();
        ConcurrentLinkedQueue<String> transportFailures = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Probe> readiness = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Probe> reads = new ConcurrentLinkedQueue<>();

        // every host created before the load, so that a cron write always finds its record
        for (int w = 0; w < WRITERS; w++) {
            for (int k = 0; k < HOSTS_PER_WRITER; k++) {
                String host = host(w, k);
                List<Op> list = new ArrayList<>();
                Op created = send(sequence.incrementAndGet(), host, true);
                assertEquals(200, created.answer(), created.body());
                list.add(created);
                ops.put(host, list);
            }
        }

        ExecutorService pool = Executors.newFixedThreadPool(WRITERS + 2);
        List<Future<?>> threads = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
            int writer = w;
            threads.add(pool.submit(() -> {
                int[] pipelines = new int[HOSTS_PER_WRITER];
                for (int n = 0; !stop.get(); n++) {
                    int k = n % HOSTS_PER_WRITER;
                    String host = host(writer, k);
                    List<Op> list = ops.get(host);
                    boolean pipeline = (n / HOSTS_PER_WRITER) % 2 == 0;
                    if (pipeline && ++pipelines[k] > MAX_PIPELINE_WRITES_PER_HOST) {
                        continue;
                    }
                    try {
                        Op op = send(sequence.incrementAndGet(), host, pipeline);
                        list.add(op);
                        if (op.acknowledged()) {
                            acknowledged.incrementAndGet();
                        }
                    } catch (IOException e) {
                        transportFailures.add(host + ": " + e);
                    }
                }
                return null;
            }));
        }
        threads.add(pool.submit(() -> {
            while (!stop.get()) {
                HttpResponse<String> ready = get("ready");
                readiness.add(new Probe(System.nanoTime(), ready.statusCode(), ready.body()));
                Thread.sleep(50);
            }
            return null;
        }));
        threads.add(pool.submit(() -> {
            for (int n = 0; !stop.get(); n++) {
                HttpResponse<String> read = n % 2 == 0 ? get("status/" + GROUP) : get("status/" + GROUP + "/" + host(n % WRITERS, 0));
                reads.add(new Probe(System.nanoTime(), read.statusCode(), read.body()));
                Thread.sleep(20);
            }
            return null;
        }));

        long disrupted;
        long recovered;
        try {
            Thread.sleep(2_000);
            assertTrue(acknowledged.get() > 0, "writes acknowledged before the disruption");
            disrupted = System.nanoTime();
            disruption.run();
            long after = System.nanoTime();
            System.out.println(what + " took " + (after - disrupted) / 1_000_000 + " ms");
            // back: ready, and new writes acknowledged
            int before = acknowledged.get();
            long deadline = after + TimeUnit.SECONDS.toNanos(60);
            while (!(acknowledged.get() > before + WRITERS && last(readiness).status() == 200
                    && last(readiness).atNanos() > after)) {
                assertTrue(System.nanoTime() < deadline, "the service did not recover within 60 s of " + what
                        + "; /ready says " + last(readiness).body());
                Thread.sleep(50);
            }
            recovered = System.nanoTime();
            System.out.println("recovered " + (recovered - after) / 1_000_000 + " ms after " + what);
            Thread.sleep(2_000); // more load on the recovered service
        } finally {
            stop.set(true);
            pool.shutdown();
        }
        for (Future<?> thread : threads) {
            thread.get(120, TimeUnit.SECONDS);
        }

        // the answers: 2xx, or 503 store_unavailable with a reason; never a broken connection
        assertEquals(List.of(), List.copyOf(transportFailures), "every write was answered");
        int refused = 0;
        for (List<Op> list : ops.values()) {
            for (Op op : list) {
                if (!op.acknowledged()) {
                    refused++;
                    assertEquals(503, op.answer(), op.body());
                    JsonNode error = Json.mapper().readTree(op.body());
                    assertEquals("store_unavailable", error.get("error").textValue(), op.body());
                    assertTrue(error.get("message").textValue().length() > 10, "a reason: " + op.body());
                }
            }
        }
        int total = ops.values().stream().mapToInt(List::size).sum();
        System.out.println(what + ": " + total + " writes, " + (total - refused) + " acknowledged, " + refused + " refused (503)");

        // /ready: 503 during the outage, 200 once back; reads 200 throughout, from memory
        List<Probe> outage = readiness.stream().filter(p -> p.atNanos() >= disrupted && p.atNanos() <= recovered).toList();
        assertTrue(outage.stream().anyMatch(p -> p.status() == 503), "/ready answered 503 during the outage: " + outage);
        readiness.stream().filter(p -> p.status() != 200).forEach(p -> {
            assertEquals(503, p.status(), p.body());
            assertTrue(p.body().contains("\"reason\""), p.body());
        });
        assertEquals(200, get("ready").statusCode());
        List<Probe> badReads = reads.stream().filter(p -> p.status() != 200).toList();
        assertEquals(List.of(), badReads, "reads answered 200 throughout");
        long readsDuringOutage = reads.stream().filter(p -> p.atNanos() >= disrupted && p.atNanos() <= recovered).count();
        assertTrue(readsDuringOutage > 0, "reads answered during the outage");
        System.out.println(readsDuringOutage + " reads answered 200 during the outage, " + outage.stream()
                .filter(p -> p.status() == 503).count() + " of " + outage.size() + " /ready probes 503");

        assertEveryAcknowledgedWriteStored(ops);
    }

    /**
     * Each host's record in the database is its last acknowledged write or a later one, and its
     * transitions are exactly those of the writes known to have committed: the acknowledged ones
     * and those whose transition is there (a 503 may have committed; one that changed nothing
     * leaves no trace and changes no transition).
     */
    private void assertEveryAcknowledgedWriteStored(Map<String, List<Op>> ops) throws Exception {
        Map<String, JsonNode> records = new HashMap<>();
        Map<String, List<String[]>> transitions = new HashMap<>();
        try (Connection c = db.connect()) {
            try (PreparedStatement s = c.prepareStatement("SELECT host, record FROM hosts WHERE server_group = ?")) {
                s.setString(1, GROUP);
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        assertNotNull(r.getString(2), r.getString(1) + " deleted");
                        records.put(r.getString(1), Json.mapper().readTree(r.getString(2)));
                    }
                }
            }
            try (PreparedStatement s = c.prepareStatement("SELECT host, from_status, to_status, source, commit_sha"
                    + " FROM transitions WHERE server_group = ? ORDER BY host, id")) {
                s.setString(1, GROUP);
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        transitions.computeIfAbsent(r.getString(1), h -> new ArrayList<>())
                                .add(new String[] {r.getString(2), r.getString(3), r.getString(4), r.getString(5)});
                    }
                }
            }
        }
        assertEquals(ops.keySet(), records.keySet(), "every host stored");
        JsonNode served = Json.mapper().readTree(get("status/" + GROUP).body());
        assertEquals(records.size(), served.size());

        for (Map.Entry<String, List<Op>> entry : ops.entrySet()) {
            String host = entry.getKey();
            List<Op> list = entry.getValue();
            JsonNode record = records.get(host);
            // the last write that took effect: a cron write's file if changed files remain (a later
            // pipeline write empties them), else the pipeline write whose commit it shows
            JsonNode files = record.get("changed_files");
            long finalSeq = files != null && files.size() > 0
                    ? Long.parseLong(files.get(0).textValue().replaceAll("[^0-9]", ""))
                    : Long.parseLong(record.get("commit_sha").textValue());
            int finalIndex = indexOf(list, finalSeq);
            assertTrue(finalIndex >= 0, host + " holds a write never sent: " + record);
            int lastAcknowledged = -1;
            for (int i = 0; i < list.size(); i++) {
                if (list.get(i).acknowledged()) {
                    lastAcknowledged = i;
                }
            }
            assertTrue(finalIndex >= lastAcknowledged, host + " holds write " + list.get(finalIndex)
                    + ", older than the last acknowledged " + list.get(lastAcknowledged));
            for (JsonNode row : served) {
                if (row.get("host").textValue().equals(host)) {
                    assertEquals(record.get("commit_sha"), row.get("commit_sha"), host + ": served as stored");
                    assertEquals(files, row.get("changed_files"), host + ": served as stored");
                }
            }

            List<String[]> actual = transitions.getOrDefault(host, List.of());
            Set<String> withTransition = new HashSet<>();
            for (String[] t : actual) {
                assertEquals("pipeline", t[2], host + ": only pipeline writes change the status");
                assertTrue(withTransition.add(t[3]), host + ": two transitions for write " + t[3]);
            }
            List<String> expected = new ArrayList<>();
            String status = null;
            for (Op op : list) {
                if (op.pipeline() && (op.acknowledged() || withTransition.contains(Long.toString(op.seq())))) {
                    if (!op.status().equals(status)) {
                        expected.add(status + "->" + op.status() + "@" + op.seq());
                    }
                    status = op.status();
                }
            }
            List<String> stored = actual.stream().map(t -> t[0] + "->" + t[1] + "@" + t[3]).toList();
            assertEquals(expected, stored, host + ": the transitions of the writes that committed, each once");
            assertEquals(status, record.get("status").textValue(), host + ": the status of its last pipeline write");
        }
    }

    private static int indexOf(List<Op> list, long seq) {
        for (int i = 0; i < list.size(); i++) {
            if (list.get(i).seq() == seq) {
                return i;
            }
        }
        return -1;
    }

    private static String host(int writer, int k) {
        return "w" + writer + "-" + k;
    }

    /** A pipeline write (status by sequence number, commit_sha the number) or a cron write (one changed file). */
    private Op send(long seq, String host, boolean pipeline) throws IOException, InterruptedException {
        String status = STATUSES.get((int) (seq % STATUSES.size()));
        String body = pipeline
                ? "{\"server_group\":\"" + GROUP + "\",\"host\":\"" + host + "\",\"status\":\"" + status
                        + "\",\"commit_sha\":\"" + seq + "\",\"changed_files\":[]}"
                : "{\"server_group\":\"" + GROUP + "\",\"host\":\"" + host + "\",\"changed_files\":[\"c" + seq + ".conf\"]}";
        HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(base.resolve(pipeline ? "status/pipeline" : "status/cron"))
                .timeout(Duration.ofSeconds(90)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        return new Op(seq, host, pipeline, pipeline ? status : null, answer.statusCode(), answer.body());
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static Probe last(ConcurrentLinkedQueue<Probe> probes) {
        Probe last = null;
        for (Probe p : probes) {
            last = p;
        }
        return last == null ? new Probe(0, 0, "no probe yet") : last;
    }
}
