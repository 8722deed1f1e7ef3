package io.gitops.status.store.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gitops.status.TestPostgres;
import io.gitops.status.api.StatusRecord;
import io.gitops.status.config.AppConfig;
import io.gitops.status.update.Update;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two replicas on one database: batches from both commit one at a time, each raising the revision by
 * one, no read-modify-write is lost between them, and each sees the other's writes.
 */
class TwoReplicasTest {

    private static TestPostgres.Database database;

    @BeforeAll
    static void createDatabase() {
        database = TestPostgres.database(TwoReplicasTest.class.getSimpleName());
    }

    @AfterAll
    static void dropDatabase() {
        database.drop();
    }

    /** Appends {@code file} to the host's changed files: a lost update shows as a missing name. */
    private record Append(String serverGroup, String host, String file) implements Update {
        @Override
        public String source() {
            return "test";
        }

        @Override
        public List<String> ignoredFields() {
            return List.of();
        }

        @Override
        public StatusRecord applyTo(StatusRecord current, String now) {
            StatusRecord base = current != null ? current
                    : new StatusRecord(serverGroup, host, null, null, null, null, "synced", List.of(), null, null, null,
                            null, null, null, now, null, now);
            List<String> files = new ArrayList<>(base.changedFiles());
            files.add(file);
            return base.withDrift("out_of_sync", files, now, now);
        }
    }

    private static PostgresStatusStore replica() {
        return new PostgresStatusStore(new AppConfig.Database(database.jdbcUrl(), "test", Optional.empty(),
                Optional.empty()), 1_000_000, 20);
    }

    @Test
    void concurrentWritesThroughBothReplicasAreNeitherLostNorReordered() throws Exception {
        int perReplica = 200;
        try (PostgresStatusStore a = replica(); PostgresStatusStore b = replica()) {
            assertTrue(a.awaitLoaded(30_000) && b.awaitLoaded(30_000), "the replicas did not load");
            long start = a.revision();
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                List<Future<?>> writes = new ArrayList<>();
                for (int i = 0; i < perReplica; i++) {
                    for (PostgresStatusStore store : List.of(a, b)) {
                        String file = (store == a ? "a" : "b") + i;
                        writes.add(pool.submit(() -> store.write(new Append("g", "shared", file))));
                    }
                }
                for (Future<?> write : writes) {
                    write.get();
                }
            } finally {
                pool.shutdown();
            }
            long deadline = System.nanoTime() + 5_000_000_000L;
            while ((a.revision() != b.revision()) && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(a.revision(), b.revision(), "the replicas did not reach the same revision");
            for (PostgresStatusStore store : List.of(a, b)) {
                List<String> files = store.find("g", "shared").orElseThrow().changedFiles();
                assertEquals(2 * perReplica, files.size());
                assertEquals(2 * perReplica, new HashSet<>(files).size());
            }
            try (Connection c = database.connect(); Statement s = c.createStatement();
                    ResultSet r = s.executeQuery("SELECT revision FROM store_state WHERE id = 1")) {
                r.next();
                assertEquals(r.getLong(1), a.revision());
            }
            // every committed batch raised the revision by exactly one
            assertEquals(start + a.stats().batches() + b.stats().batches(), a.revision());
        }
    }

    @Test
    void aBatchThatStoresNothingLeavesTheRevision() throws Exception {
        try (PostgresStatusStore a = replica()) {
            assertTrue(a.awaitLoaded(30_000));
            a.write(new Append("g", "same", "x"));
            long before = a.revision();
            // a write that changes nothing is staged as no change: the transaction rolls back
            StatusRecord current = a.find("g", "same").orElseThrow();
            a.writeAll(List.of(new Unchanged(current)));
            a.refresh();
            assertEquals(before, a.revision());
        }
    }

    private record Unchanged(StatusRecord record) implements Update {
        @Override
        public String serverGroup() {
            return record.serverGroup();
        }

        @Override
        public String host() {
            return record.host();
        }

        @Override
        public String source() {
            return "test";
        }

        @Override
        public List<String> ignoredFields() {
            return List.of();
        }

        @Override
        public StatusRecord applyTo(StatusRecord current, String now) {
            return current;
        }
    }
}
