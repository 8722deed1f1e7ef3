package io.gitops.status.store.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.gitops.status.TestPostgres;
import io.gitops.status.api.Refusal;
import io.gitops.status.api.StatusRecord;
import io.gitops.status.api.Transition;
import io.gitops.status.config.AppConfig;
import io.gitops.status.store.DataFile;
import io.gitops.status.store.StatusStore;
import io.gitops.status.store.StoreUnavailableException;
import io.gitops.status.store.TestUpdates;
import io.gitops.status.update.AttributedUpdate;
import io.gitops.status.update.Deletion;
import io.gitops.status.update.Update;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.core.BaseConnection;
import org.postgresql.core.TransactionState;

/**
 * The PostgreSQL store's guarantees between replicas: two or more {@link PostgresStatusStore}s on
 * one database are two or more replicas of the service. One database for the class; every test
 * starts from an empty schema, which the stores migrate themselves.
 */
class PostgresStatusStoreTest {

    private static final int HISTORY = AppConfig.MAX_HISTORY_SIZE;
    private static final int MAX_HOSTS = 100_000;
    private static final List<String> STATUSES = List.of("synced", "out_of_sync", "failed");
    /** The replication bound the store promises: another replica's write is seen within this. */
    private static final long ONE_SECOND_NANOS = TimeUnit.SECONDS.toNanos(1);

    private static TestPostgres.Database db;

    private final List<PostgresStatusStore> opened = new ArrayList<>();

    @TempDir
    Path dir;

    @BeforeAll
    static void createDatabase() {
        db = TestPostgres.database(PostgresStatusStoreTest.class.getSimpleName());
    }

    @AfterAll
    static void dropDatabase() {
        if (db != null) {
            db.drop();
        }
    }

    @BeforeEach
    void emptySchema() throws SQLException {
        sql("SET lock_timeout = '10s'", "DROP SCHEMA public CASCADE", "CREATE SCHEMA public");
    }

    @AfterEach
    void closeStores() {
        for (int i = opened.size() - 1; i >= 0; i--) {
            opened.get(i).close();
        }
    }

    // ---------------------------------------------------------------- writes between replicas

    /**
     * 8 threads on each of two replicas append to the same three records: every acknowledged file
     * name is in its record exactly once (no update lost between replicas), and each record's
     * transitions are exactly one per write, in order (appended in the write's transaction).
     */
    @Test
    void twoReplicasAppendingToTheSameRecordsLoseNoUpdateAndRecordEveryTransition() throws Exception {
        PostgresStatusStore a = loaded();
        PostgresStatusStore b = loaded();
        int threadsPerReplica = 8;
        int writesPerThread = 40;
        List<String> hosts = List.of("h0", "h1", "h2");
        Map<String, Set<String>> acknowledged = new ConcurrentHashMap<>();
        hosts.forEach(h -> acknowledged.put(h, ConcurrentHashMap.newKeySet()));

        runConcurrently(2 * threadsPerReplica, t -> {
            PostgresStatusStore store = t % 2 == 0 ? a : b;
            for (int i = 0; i < writesPerThread; i++) {
                String host = hosts.get((t + i) % hosts.size());
                String file = "t" + t + "-" + i;
                store.write(appendCyclingStatus("shared", host, file));
                acknowledged.get(host).add(file);
                assertTrue(store.find("shared", host).orElseThrow().changedFiles().contains(file),
                        "a replica reads its own acknowledged write at once");
            }
        });

        long revision = databaseRevision();
        awaitTrue(() -> a.revision() == revision && b.revision() == revision, ONE_SECOND_NANOS,
                "both replicas follow the database within a second");
        int total = 0;
        for (String host : hosts) {
            Set<String> expected = acknowledged.get(host);
            int n = expected.size();
            total += n;
            StatusRecord record = a.find("shared", host).orElseThrow();
            assertEquals(n, record.changedFiles().size(), host + ": each acknowledged write once");
            assertEquals(expected, new HashSet<>(record.changedFiles()), host + ": no acknowledged write lost");
            assertEquals(record, b.find("shared", host).orElseThrow(), "both replicas hold the same record");
            assertEquals(STATUSES.get(n % 3), record.status());

            List<Transition> history = a.history(record, HISTORY);
            assertEquals(n, history.size(), host + ": one transition per write");
            for (int k = 1; k <= n; k++) {
                Transition t = history.get(k - 1);
                assertEquals(k, t.changedFilesCount(), host + ": transition " + k + " in write order");
                assertEquals(k == 1 ? null : STATUSES.get((k - 1) % 3), t.from(), host + " transition " + k);
                assertEquals(STATUSES.get(k % 3), t.to(), host + " transition " + k);
                assertEquals("test", t.source());
            }
            assertEquals(history, b.history(record, HISTORY));
        }
        assertEquals(2 * threadsPerReplica * writesPerThread, total);
        assertEquals(total, queryLong("SELECT count(*) FROM transitions"));
        assertTrue(revision <= total, "at most one revision per write: " + revision);
    }

    /** A replica reads its own write at once; the other one sees it within a second, without refresh(). */
    @Test
    void ownWritesAreReadAtOnceAndTheOtherReplicasWithinASecond() throws Exception {
        PostgresStatusStore a = loaded();
        PostgresStatusStore b = loaded();
        long worst = 0;
        for (int i = 0; i < 24; i++) {
            PostgresStatusStore writer = i % 2 == 0 ? a : b;
            PostgresStatusStore reader = writer == a ? b : a;
            String host = "v" + (i / 4);
            String status = STATUSES.get(i % 3);
            writer.write(TestUpdates.put("vis", host, status));
            long acknowledged = System.nanoTime();
            assertEquals(status, writer.find("vis", host).orElseThrow().status(), "own write at once");
            while (!reader.find("vis", host).map(r -> r.status().equals(status)).orElse(false)) {
                assertTrue(System.nanoTime() - acknowledged < 5 * ONE_SECOND_NANOS, "the other replica never saw " + i);
                Thread.sleep(1);
            }
            worst = Math.max(worst, System.nanoTime() - acknowledged);
            Thread.sleep(ThreadLocalRandom.current().nextInt(300)); // another phase of the 250 ms poll
        }
        System.out.println("another replica's write seen after at most " + worst / 1_000_000 + " ms");
        assertTrue(worst < ONE_SECOND_NANOS, "seen after " + worst / 1_000_000 + " ms");
    }

    /**
     * The listening connection of a replica is terminated and another replica writes while it
     * reconnects: the notifications are lost, the writes are not.
     */
    @Test
    void aReplicaWhoseListeningConnectionIsKilledMissesNoChange() throws Exception {
        PostgresStatusStore b = loaded();
        int listener = awaitListener(Set.of());
        PostgresStatusStore a = loaded();
        int other = awaitListener(Set.of(listener));

        for (int r = 0; r < 3; r++) {
            int round = r;
            int killed = round == 0 ? listener : awaitListener(Set.of(other));
            terminate(killed);
            long start = System.nanoTime();
            for (int i = 0; i < 5; i++) {
                a.write(TestUpdates.put("listen", "r" + round + "-" + i, "synced")); // no one listens on b's side
            }
            long written = System.nanoTime();
            awaitTrue(() -> b.find("listen", "r" + round + "-4").isPresent(), 5 * ONE_SECOND_NANOS,
                    "the replica catches up after losing its listening connection");
            long seen = System.nanoTime();
            System.out.println("round " + round + ": writes seen " + (seen - written) / 1_000_000 + " ms after the last,"
                    + " " + (seen - start) / 1_000_000 + " ms after the kill");
            assertTrue(seen - written < ONE_SECOND_NANOS, "seen " + (seen - written) / 1_000_000 + " ms after the write");
            for (int i = 0; i < 5; i++) {
                assertTrue(b.find("listen", "r" + round + "-" + i).isPresent(), "r" + round + "-" + i);
            }
            int again = awaitListener(Set.of(other));
            assertNotEquals(killed, again, "listening again, on a new connection");
            awaitTrue(() -> b.readiness().ready(), 5 * ONE_SECOND_NANOS, "ready again");
        }
    }

    @Test
    void deletionsAreSeenByTheOtherReplicaAndAHostCanBeCreatedAgain() throws Exception {
        PostgresStatusStore a = loaded();
        PostgresStatusStore b = loaded();
        a.write(TestUpdates.put("del", "x", "synced"));
        a.write(TestUpdates.put("del", "y", "failed"));
        awaitTrue(() -> b.find("del", "y").isPresent(), ONE_SECOND_NANOS, "b sees the records");

        assertNull(b.write(new Deletion("del", "x")).record());
        assertTrue(b.find("del", "x").isEmpty(), "own deletion at once");
        awaitTrue(() -> a.find("del", "x").isEmpty(), ONE_SECOND_NANOS, "a sees the deletion within a second");
        assertEquals(List.of("del/y"), keys(a.all()));
        assertEquals(1, queryLong("SELECT count(*) FROM hosts WHERE record IS NULL"), "a deletion marker");
        assertEquals(0, queryLong("SELECT count(*) FROM transitions WHERE host = 'x'"), "history deleted too");

        Refusal gone = assertThrows(Refusal.class, () -> a.write(new Deletion("del", "x")));
        assertEquals(Refusal.Kind.NOT_FOUND, gone.kind());
        assertTrue(a.write(TestUpdates.put("del", "x", "unknown")).created(), "created again over the marker");
        awaitTrue(() -> b.find("del", "x").map(r -> r.status().equals("unknown")).orElse(false), ONE_SECOND_NANOS,
                "b sees it again");
        assertEquals(0, queryLong("SELECT count(*) FROM hosts WHERE record IS NULL"));
    }

    /**
     * Deletion markers older than ten minutes are purged, fresh ones kept; a replica still behind a
     * purged marker (it never saw the deletion) loads whole instead of keeping the deleted host.
     */
    @Test
    void purgedDeletionMarkersNeverResurrectAHostOnALaggingReplica() throws Exception {
        PostgresStatusStore a = loaded();
        PostgresStatusStore b = loaded();
        for (String host : List.of("x", "y", "z", "w")) {
            a.write(TestUpdates.put("purge", host, "synced"));
        }
        a.write(new Deletion("purge", "x"));
        long deletedAt = a.revision();
        awaitTrue(() -> b.revision() == deletedAt, ONE_SECOND_NANOS, "b saw the deletion");

        // the real purge: a fresh marker is kept, one older than ten minutes is removed
        assertTrue(a.purgeDeletionMarkers());
        assertEquals(1, queryLong("SELECT count(*) FROM hosts WHERE record IS NULL"), "a fresh marker is kept");
        assertEquals(0, queryLong("SELECT purged_through FROM store_state"));
        assertEquals(deletedAt, queryLong("SELECT count(*) FROM batches"), "a token per batch");
        sql("UPDATE hosts SET changed_at = now() - interval '11 minutes' WHERE record IS NULL",
                "UPDATE batches SET committed_at = now() - interval '11 minutes' WHERE revision <= 2");
        assertTrue(b.purgeDeletionMarkers());
        assertEquals(0, queryLong("SELECT count(*) FROM hosts WHERE record IS NULL"), "an old marker is purged");
        assertEquals(deletedAt, queryLong("SELECT purged_through FROM store_state"));
        assertEquals(deletedAt - 2, queryLong("SELECT count(*) FROM batches"), "old batch tokens purged with it");
        a.write(TestUpdates.put("purge", "v", "synced"));
        awaitTrue(() -> b.find("purge", "v").isPresent(), ONE_SECOND_NANOS, "b follows on after the purge");
        assertEquals(List.of("purge/v", "purge/w", "purge/y", "purge/z"), keys(b.all()));

        // a lagging replica: another replica deletes z and its marker is purged before anyone reads it,
        // while y changes in the same revision
        long lagging = databaseRevision();
        awaitTrue(() -> a.revision() == lagging && b.revision() == lagging, ONE_SECOND_NANOS, "both caught up");
        String y = queryString("SELECT record FROM hosts WHERE host = 'y'");
        try (Connection c = db.connect()) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.executeQuery("SELECT revision FROM store_state WHERE id = 1 FOR UPDATE").close();
                s.executeUpdate("DELETE FROM hosts WHERE host = 'z'");
                s.executeUpdate("UPDATE hosts SET record = '" + y.replace("\"synced\"", "\"failed\"")
                        + "', revision = " + (lagging + 1) + " WHERE host = 'y'");
                s.executeUpdate("UPDATE store_state SET revision = " + (lagging + 1) + ", purged_through = "
                        + (lagging + 1) + " WHERE id = 1");
                s.executeQuery("SELECT pg_notify('" + Rows.CHANNEL + "', '" + (lagging + 1) + "')").close();
            }
            assertTrue(b.find("purge", "z").isPresent());
            c.commit();
        }
        for (PostgresStatusStore replica : List.of(a, b)) {
            awaitTrue(() -> replica.find("purge", "z").isEmpty(), ONE_SECOND_NANOS,
                    "a replica behind purged_through loads whole and loses the purged host");
            assertEquals(List.of("purge/v", "purge/w", "purge/y"), keys(replica.all()));
            assertEquals("failed", replica.find("purge", "y").orElseThrow().status(), "and reads the other changes");
            assertEquals(lagging + 1, replica.revision());
        }
        PostgresStatusStore fresh = loaded();
        assertEquals(fresh.all(), b.all());
    }

    @Test
    void maxHostsHoldsAcrossReplicas() throws Exception {
        int cap = 10;
        PostgresStatusStore a = loaded(cap);
        PostgresStatusStore b = loaded(cap);
        AtomicInteger created = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        runConcurrently(4, t -> {
            PostgresStatusStore store = t % 2 == 0 ? a : b;
            for (int i = 0; i < 10; i++) {
                try {
                    assertTrue(store.write(TestUpdates.put("cap", "t" + t + "-" + i, "synced")).created());
                    created.incrementAndGet();
                } catch (Refusal e) {
                    assertEquals(Refusal.Kind.LIMIT_EXCEEDED, e.kind(), e.getMessage());
                    refused.incrementAndGet();
                }
            }
        });
        assertEquals(cap, created.get(), "exactly maxHosts hosts created between both replicas");
        assertEquals(40 - cap, refused.get());
        assertEquals(cap, queryLong("SELECT count(*) FROM hosts WHERE record IS NOT NULL"));

        String first = a.all().get(0).host();
        a.write(new Deletion("cap", first));
        assertTrue(b.write(TestUpdates.put("cap", "after-delete", "synced")).created(), "room again on the other replica");
        Refusal full = assertThrows(Refusal.class, () -> a.write(TestUpdates.put("cap", "one-too-many", "synced")));
        assertEquals(Refusal.Kind.LIMIT_EXCEEDED, full.kind());
        a.write(TestUpdates.put("cap", "after-delete", "failed")); // updating an existing host is no new host
    }

    // ---------------------------------------------------------------- import

    @Test
    void replicasStartingTogetherImportAV2FileWithItsHistoryOnce() throws Exception {
        Path file = dir.resolve("status.json");
        List<StatusRecord> records = new ArrayList<>();
        for (int h = 0; h < 5; h++) {
            List<Transition> history = new ArrayList<>();
            String previous = null;
            for (int k = 0; k <= h; k++) {
                String next = STATUSES.get(k % 3);
                history.add(new Transition("2026-04-2" + k + "T10:00:00Z", previous, next, "pipeline", "sha" + k, k));
                previous = next;
            }
            records.add(new StatusRecord("imported", "host-" + h, "p", "r", "t", "prod", previous, List.of("a.conf"),
                    null, null, "sha" + h, "main", "ci", null, "2026-04-26T10:00:00Z", null, "2026-04-26T10:00:00Z")
                    .withWriter(null, history));
        }
        try (OutputStream out = Files.newOutputStream(file)) {
            DataFile.write(records.iterator(), out);
        }
        List<PostgresStatusStore> replicas = startTogether(3, file);

        assertImportedOnce(file, replicas);
        int transitions = records.stream().mapToInt(r -> r.history().size()).sum();
        assertEquals(15, transitions);
        for (PostgresStatusStore replica : replicas) {
            for (StatusRecord record : records) {
                assertEquals(record.history(), replica.history(record, HISTORY), record.key() + ": its history imported");
            }
        }
    }

    @Test
    void replicasStartingTogetherImportAV1FileOnce() throws Exception {
        Path file = dir.resolve("status.json");
        Files.writeString(file, """
                [{"repo": "rsyslog", "server": "rsyslog-lab", "sync_status": "SYNCED", "drift_count": 0,
                  "files": [], "last_check": "2026-04-21T10:30:00Z"},
                 {"repo": "rsyslog", "server": "rsyslog-lab2", "sync_status": "OUT_OF_SYNC", "drift_count": 2,
                  "files": [{"name": "rsyslog.conf"}, {"name": "rsyslog.d/30-lab.conf"}],
                  "last_check": "2026-04-21T10:32:15Z"}]""");
        List<PostgresStatusStore> replicas = startTogether(3, file);
        assertImportedOnce(file, replicas);
        assertEquals(List.of("rsyslog.conf", "rsyslog.d/30-lab.conf"),
                replicas.get(2).find("rsyslog", "rsyslog-lab2").orElseThrow().changedFiles());
    }

    @Test
    void theImportFileIsIgnoredWhenTheStoreHoldsHosts() throws Exception {
        PostgresStatusStore first = loaded();
        first.write(new AttributedUpdate(TestUpdates.put("own", "h1", "synced"), null, HISTORY));
        long revision = first.revision();
        first.close();
        Path file = dir.resolve("status.json");
        try (OutputStream out = Files.newOutputStream(file)) {
            DataFile.write(List.of(new StatusRecord("imported", "h", null, null, null, null, "failed", List.of(),
                    null, null, null, null, null, null, null, null, "2026-04-26T10:00:00Z")
                    .withWriter(null, List.of(new Transition("2026-04-26T10:00:00Z", null, "failed", "pipeline", null, 0))))
                    .iterator(), out);
        }
        for (PostgresStatusStore replica : startTogether(2, file)) {
            assertEquals(List.of("own/h1"), keys(replica.all()), "the store's hosts, nothing imported");
            assertEquals(revision, replica.revision());
        }
        assertEquals(revision, databaseRevision(), "nothing written");
        assertEquals(1, queryLong("SELECT count(*) FROM transitions"));
    }

    private List<PostgresStatusStore> startTogether(int count, Path importFile) throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(count);
        try {
            List<Future<PostgresStatusStore>> starting = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                starting.add(pool.submit(() -> {
                    go.await();
                    return new PostgresStatusStore(AppConfig.Database.at(db.jdbcUrl()).withImportFile(importFile),
                            MAX_HOSTS, HISTORY);
                }));
            }
            go.countDown();
            List<PostgresStatusStore> replicas = new ArrayList<>();
            for (Future<PostgresStatusStore> store : starting) {
                PostgresStatusStore replica = store.get(30, TimeUnit.SECONDS);
                opened.add(replica);
                replicas.add(replica);
            }
            for (PostgresStatusStore replica : replicas) {
                assertTrue(replica.awaitLoaded(30_000), "loaded: " + replica.readiness().reason());
            }
            return replicas;
        } finally {
            pool.shutdownNow();
        }
    }

    private void assertImportedOnce(Path file, List<PostgresStatusStore> replicas) throws Exception {
        Collection<StatusRecord> inFile = DataFile.read(file);
        assertEquals(1, databaseRevision(), "imported in one transaction, once");
        assertEquals(inFile.size(), queryLong("SELECT count(*) FROM hosts"));
        assertEquals(inFile.stream().mapToInt(r -> r.history().size()).sum(), queryLong("SELECT count(*) FROM transitions"),
                "each transition imported once");
        List<String> expected = inFile.stream().map(StatusRecord::key).sorted().toList();
        for (PostgresStatusStore replica : replicas) {
            assertEquals(1, replica.revision());
            assertEquals(expected, keys(replica.all()));
            for (StatusRecord record : inFile) {
                assertEquals(record.status(), replica.find(record.serverGroup(), record.host()).orElseThrow().status());
            }
        }
    }

    // ---------------------------------------------------------------- periodic work

    @Test
    void exclusivelyRunsAJobOnOneReplicaAtATime() throws Exception {
        PostgresStatusStore a = loaded();
        PostgresStatusStore b = loaded();
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<Boolean> holder = pool.submit(() -> a.exclusively("retention", () -> {
                entered.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
            assertTrue(entered.await(10, TimeUnit.SECONDS));
            AtomicInteger ran = new AtomicInteger();
            assertFalse(b.exclusively("retention", ran::incrementAndGet), "another replica holds the job");
            assertFalse(a.exclusively("retention", ran::incrementAndGet), "another thread of the same replica holds it");
            assertEquals(0, ran.get());
            assertTrue(b.exclusively("purge", ran::incrementAndGet), "another job is free");
            release.countDown();
            assertTrue(holder.get(10, TimeUnit.SECONDS));
            assertTrue(b.exclusively("retention", ran::incrementAndGet), "free once the holder is done");
            assertEquals(2, ran.get());
        } finally {
            release.countDown();
            pool.shutdownNow();
        }
        RuntimeException failure = assertThrows(IllegalStateException.class,
                () -> a.exclusively("retention", () -> {
                    throw new IllegalStateException("the job failed");
                }));
        assertEquals("the job failed", failure.getMessage());
        assertTrue(b.exclusively("retention", () -> { }), "a failed job leaves the lock free");
    }

    // ---------------------------------------------------------------- the database away

    @Test
    void aStoreWhoseDatabaseDoesNotAnswerIsUnavailableWithAReason() throws Exception {
        int port;
        try (ServerSocket closed = new ServerSocket(0)) {
            port = closed.getLocalPort();
        }
        String url = "jdbc:postgresql://127.0.0.1:" + port + "/nowhere?user=nobody&password=secret";
        PostgresStatusStore store = open(url, MAX_HOSTS);
        assertFalse(store.awaitLoaded(3_000));
        awaitTrue(() -> !store.readiness().reason().equals("connecting to the database"), 15 * ONE_SECOND_NANOS,
                "the first attempt failed");
        StatusStore.Readiness readiness = store.readiness();
        assertFalse(readiness.ready());
        assertTrue(readiness.reason().contains("127.0.0.1:" + port), readiness.reason());
        assertFalse(readiness.reason().contains("secret"), readiness.reason());
        StoreUnavailableException read = assertThrows(StoreUnavailableException.class, store::all);
        assertTrue(read.getMessage().contains("127.0.0.1:" + port), read.getMessage());
        StoreUnavailableException write = assertThrows(StoreUnavailableException.class,
                () -> store.write(TestUpdates.put("g", "h", "synced")));
        assertEquals(Refusal.Kind.STORE_UNAVAILABLE, write.kind());
        assertFalse(write.getMessage().isBlank());
        long closing = System.nanoTime();
        store.close();
        assertTrue(System.nanoTime() - closing < 10 * ONE_SECOND_NANOS, "closes without waiting for the database");
    }

    @Test
    void aStoreStartedBeforeItsDatabaseExistsComesUpByItself() throws Exception {
        String late = db.name() + "_late";
        String url = db.jdbcUrl().replace("/" + db.name(), "/" + late);
        try {
            PostgresStatusStore store = open(url, MAX_HOSTS);
            assertFalse(store.awaitLoaded(3_000));
            assertFalse(store.readiness().ready());
            StoreUnavailableException write = assertThrows(StoreUnavailableException.class,
                    () -> store.write(TestUpdates.put("g", "h", "synced")));
            assertFalse(write.getMessage().isBlank());
            sql("CREATE DATABASE " + late);
            long created = System.nanoTime();
            assertTrue(store.awaitLoaded(15_000), "loads once the database exists: " + store.readiness().reason());
            long took = System.nanoTime() - created;
            System.out.println("loaded " + took / 1_000_000 + " ms after CREATE DATABASE");
            assertTrue(took < 8 * ONE_SECOND_NANOS, "within a few seconds: " + took / 1_000_000 + " ms");
            assertTrue(store.write(TestUpdates.put("g", "h", "synced")).created());
            awaitTrue(() -> store.readiness().ready(), 6 * ONE_SECOND_NANOS, "ready");
        } finally {
            closeStores();
            opened.clear();
            sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + late + "'",
                    "DROP DATABASE IF EXISTS " + late);
        }
    }

    /**
     * The database refuses this replica's connections for a while (ALLOW_CONNECTIONS false, every
     * session ended): reads answer the last known records, writes are refused with the reason,
     * readiness says why, and the replica comes back by itself; nothing refused is stored.
     */
    @Test
    void whileTheDatabaseIsAwayReadsServeTheLastStateAndWritesAreRefused() throws Exception {
        PostgresStatusStore a = loaded();
        PostgresStatusStore b = loaded();
        a.write(TestUpdates.put("away", "h1", "synced"));
        awaitTrue(() -> b.find("away", "h1").isPresent(), ONE_SECOND_NANOS, "b sees h1");
        List<StatusRecord> before = b.all();
        // from another database: a database cannot refuse connections while connected to itself
        String adminUrl = db.jdbcUrl().replace("/" + db.name(), "/postgres");
        try (Connection admin = DriverManager.getConnection(adminUrl); Statement s = admin.createStatement()) {
            s.execute("ALTER DATABASE " + db.name() + " WITH ALLOW_CONNECTIONS false");
            try {
                s.executeQuery("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + db.name()
                        + "'").close();
                awaitTrue(() -> !b.readiness().ready(), 3 * ONE_SECOND_NANOS, "not ready once the database is away");
                assertNotNull(b.readiness().reason());
                for (int i = 0; i < 3; i++) {
                    int n = i;
                    StoreUnavailableException refused = assertThrows(StoreUnavailableException.class,
                            () -> b.write(TestUpdates.put("away", "refused-" + n, "synced")));
                    assertFalse(refused.getMessage().isBlank());
                    assertEquals(before, b.all(), "reads keep answering the last known records");
                    assertEquals("synced", b.find("away", "h1").orElseThrow().status());
                }
                assertFalse(b.readiness().ready(), b.readiness().toString());
            } finally {
                s.execute("ALTER DATABASE " + db.name() + " WITH ALLOW_CONNECTIONS true");
            }
        }
        long back = System.nanoTime();
        awaitTrue(() -> {
            try {
                b.write(TestUpdates.put("away", "h2", "failed"));
                return true;
            } catch (StoreUnavailableException e) {
                return false;
            }
        }, 15 * ONE_SECOND_NANOS, "writes succeed again by themselves");
        awaitTrue(() -> a.readiness().ready() && b.readiness().ready(), 15 * ONE_SECOND_NANOS, "both ready again");
        System.out.println("back " + (System.nanoTime() - back) / 1_000_000 + " ms after connections were allowed");
        awaitTrue(() -> a.find("away", "h2").isPresent(), ONE_SECOND_NANOS, "a follows again");
        assertEquals(0, queryLong("SELECT count(*) FROM hosts WHERE host LIKE 'refused-%'"), "no refused write stored");
        assertEquals(List.of("away/h1", "away/h2"), keys(a.all()));
    }

    /**
     * Every connection of the pool is handed out outside any transaction and commits durably, even
     * on a database whose default is {@code synchronous_commit = off} and after a rollback.
     */
    @Test
    void everyPooledConnectionCommitsDurablyAndStartsOutsideATransaction() throws Exception {
        sql("ALTER DATABASE " + db.name() + " SET synchronous_commit = off");
        try (Database database = new Database(AppConfig.Database.at(db.jdbcUrl()))) {
            List<Connection> borrowed = new ArrayList<>();
            try {
                for (int i = 0; i < 5; i++) {
                    Connection c = database.connection();
                    borrowed.add(c);
                    assertEquals(TransactionState.IDLE, c.unwrap(BaseConnection.class).getTransactionState(),
                            "connection " + i + " handed out in a transaction");
                    c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
                    c.rollback();
                    assertEquals("on", show(c, "synchronous_commit"), "connection " + i + " after a rollback");
                }
            } finally {
                for (Connection c : borrowed) {
                    c.close();
                }
            }
            try (Connection again = database.connection()) {
                assertEquals("on", show(again, "synchronous_commit"));
                again.rollback();
            }
        } finally {
            sql("ALTER DATABASE " + db.name() + " RESET synchronous_commit");
        }
    }

    private static String show(Connection c, String setting) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SHOW " + setting)) {
            r.next();
            return r.getString(1);
        }
    }

    // ---------------------------------------------------------------- commits in doubt

    /**
     * The connection breaks after COMMIT reached the server: the store finds out that it committed
     * and acknowledges the write, which is then in the database and in memory, exactly once.
     */
    @Test
    void aCommitWhoseAnswerIsLostIsAcknowledgedWhenItTookEffect() throws Exception {
        try (CommitCutter cutter = new CommitCutter(db.jdbcUrl())) {
            PostgresStatusStore a = open(cutter.url(db.jdbcUrl()), MAX_HOSTS);
            assertTrue(a.awaitLoaded(30_000), a.readiness().reason());
            PostgresStatusStore b = loaded();
            a.write(appendCyclingStatus("doubt", "h", "before"));
            cutter.arm(CommitCutter.Cut.AFTER_COMMIT_SENT);
            StatusStore.Written written = a.write(appendCyclingStatus("doubt", "h", "in-doubt"));
            assertTrue(cutter.awaitCut(0), "the commit's connection was cut");
            assertEquals(List.of("before", "in-doubt"), written.record().changedFiles());
            assertEquals(List.of("before", "in-doubt"), a.find("doubt", "h").orElseThrow().changedFiles(),
                    "acknowledged, and in memory at once");
            assertEquals(2, queryLong("SELECT count(*) FROM transitions"), "its transition committed with it");
            awaitTrue(() -> b.find("doubt", "h").map(r -> r.changedFiles().size() == 2).orElse(false),
                    ONE_SECOND_NANOS, "the other replica sees it");
            a.write(appendCyclingStatus("doubt", "h", "after"));
            assertEquals(List.of(1, 2, 3), b.history(b.find("doubt", "h").orElseThrow(), HISTORY).stream()
                    .map(Transition::changedFilesCount).toList(), "one transition per write, none twice");
            assertEquals(databaseRevision(), a.revision());
        }
    }

    /** The connection breaks before COMMIT reached the server: the write is refused and nothing of it is stored. */
    @Test
    void aCommitThatNeverReachedTheServerIsRefusedAndNothingIsStored() throws Exception {
        try (CommitCutter cutter = new CommitCutter(db.jdbcUrl())) {
            PostgresStatusStore a = open(cutter.url(db.jdbcUrl()), MAX_HOSTS);
            assertTrue(a.awaitLoaded(30_000), a.readiness().reason());
            a.write(appendCyclingStatus("doubt", "h", "before"));
            long revision = a.revision();
            cutter.arm(CommitCutter.Cut.BEFORE_COMMIT_SENT);
            StoreUnavailableException refused = assertThrows(StoreUnavailableException.class,
                    () -> a.write(appendCyclingStatus("doubt", "h", "lost")));
            assertTrue(cutter.awaitCut(0), "the commit's connection was cut");
            assertFalse(refused.getMessage().isBlank());
            assertEquals(List.of("before"), a.find("doubt", "h").orElseThrow().changedFiles(), "not in memory");
            assertEquals(revision, databaseRevision(), "not in the database");
            assertEquals(1, queryLong("SELECT count(*) FROM transitions"));
            a.write(appendCyclingStatus("doubt", "h", "after"));
            assertEquals(List.of("before", "after"), a.find("doubt", "h").orElseThrow().changedFiles());
            assertEquals(List.of("before", "after"), loaded().find("doubt", "h").orElseThrow().changedFiles());
        }
    }

    // ---------------------------------------------------------------- helpers

    /**
     * {@link TestUpdates#append} whose status follows the number of files, so that every write is a
     * transition whose changed_files_count tells which write it was.
     */
    private static Update appendCyclingStatus(String group, String host, String file) {
        Update append = TestUpdates.append(group, host, file);
        Update cycling = new Update() {
            @Override
            public String serverGroup() {
                return group;
            }

            @Override
            public String host() {
                return host;
            }

            @Override
            public String source() {
                return append.source();
            }

            @Override
            public List<String> ignoredFields() {
                return List.of();
            }

            @Override
            public StatusRecord applyTo(StatusRecord current, String now) {
                StatusRecord next = append.applyTo(current, now);
                return next.withDrift(STATUSES.get(next.changedFiles().size() % 3), next.changedFiles(), now, now);
            }
        };
        return new AttributedUpdate(cycling, null, HISTORY);
    }

    private PostgresStatusStore open(String url, int maxHosts) {
        PostgresStatusStore store = new PostgresStatusStore(AppConfig.Database.at(url), maxHosts, HISTORY);
        opened.add(store);
        return store;
    }

    private PostgresStatusStore loaded() throws InterruptedException {
        return loaded(MAX_HOSTS);
    }

    private PostgresStatusStore loaded(int maxHosts) throws InterruptedException {
        PostgresStatusStore store = open(db.jdbcUrl(), maxHosts);
        assertTrue(store.awaitLoaded(30_000), "loaded: " + store.readiness().reason());
        return store;
    }

    private static List<String> keys(List<StatusRecord> records) {
        return records.stream().map(StatusRecord::key).toList();
    }

    /** The pid of a listening session other than {@code known}, once there is exactly one. */
    private static int awaitListener(Set<Integer> known) throws Exception {
        long deadline = System.nanoTime() + 10 * ONE_SECOND_NANOS;
        List<Integer> found = List.of();
        while (System.nanoTime() < deadline) {
            found = new ArrayList<>();
            try (Connection c = db.connect(); Statement s = c.createStatement();
                    ResultSet r = s.executeQuery("SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
                            + " AND query LIKE 'LISTEN%' AND pid <> pg_backend_pid()")) {
                while (r.next()) {
                    if (!known.contains(r.getInt(1))) {
                        found.add(r.getInt(1));
                    }
                }
            }
            if (found.size() == 1) {
                return found.get(0);
            }
            Thread.sleep(20);
        }
        return fail("expected one new listening session, found " + found);
    }

    private static void terminate(int pid) throws SQLException {
        try (Connection c = db.connect(); PreparedStatement s = c.prepareStatement("SELECT pg_terminate_backend(?)")) {
            s.setInt(1, pid);
            try (ResultSet r = s.executeQuery()) {
                r.next();
                assertTrue(r.getBoolean(1), "terminated " + pid);
            }
        }
    }

    private static long databaseRevision() throws SQLException {
        return queryLong("SELECT revision FROM store_state WHERE id = 1");
    }

    private static long queryLong(String query) throws SQLException {
        return Long.parseLong(queryString(query));
    }

    private static String queryString(String query) throws SQLException {
        try (Connection c = db.connect(); Statement s = c.createStatement(); ResultSet r = s.executeQuery(query)) {
            assertTrue(r.next(), query);
            return r.getString(1);
        }
    }

    private static void sql(String... statements) throws SQLException {
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            for (String statement : statements) {
                s.execute(statement);
            }
        }
    }

    private static void awaitTrue(BooleanSupplier condition, long nanos, String what) throws InterruptedException {
        long deadline = System.nanoTime() + nanos;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail(what + ": not within " + nanos / 1_000_000 + " ms");
            }
            Thread.sleep(5);
        }
    }

    interface ThreadBody {
        void run(int thread) throws Exception;
    }

    private static void runConcurrently(int threads, ThreadBody body) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    body.run(thread);
                    return null;
                }));
            }
            for (Future<?> future : futures) {
                future.get(120, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
    }

}
