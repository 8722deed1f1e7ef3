package io.gitops.status.store.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.gitops.status.TestPostgres;
import io.gitops.status.config.AppConfig;
import io.gitops.status.store.StatusStore;
import io.gitops.status.store.StoreUnavailableException;
import io.gitops.status.store.TestUpdates;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A write whose COMMIT never reached the server when the server crashed: its transaction id was
 * never written to the WAL, so the restarted server hands the same id to another transaction.
 * Asking {@code pg_xact_status} about that id then answers for the other transaction; the store
 * must still never acknowledge the lost write.
 *
 * <p>The crash: the held transaction's backend killed with SIGKILL, upon which the server ends
 * every session and recovers from its WAL. That disturbs whoever else uses the server for a few
 * seconds, and needs the server on this machine and root: it runs only on the local Debian
 * cluster. Whether the id is reused depends on the WAL writer not having written the
 * transaction's records in the few milliseconds before the kill; when it did, the test says so
 * and is skipped.
 */
class CommitLostInACrashIT {

    @Test
    void aWriteLostInACrashIsNeverAcknowledgedWhenItsTransactionIdIsReused() throws Exception {
        assumeTrue(TestPostgres.isLocalDebianCluster(), "killing a backend needs the local Debian cluster, run as"
                + " root; the tests use " + TestPostgres.serverDescription());
        ExecutorService writer = Executors.newSingleThreadExecutor();
        try (TestPostgres.Database db = TestPostgres.database(CommitLostInACrashIT.class.getSimpleName());
                CommitCutter cutter = new CommitCutter(db.jdbcUrl());
                PostgresStatusStore store = new PostgresStatusStore(AppConfig.Database.at(cutter.url(db.jdbcUrl())),
                        1_000, 20)) {
            assertTrue(store.awaitLoaded(30_000), store.readiness().reason());
            store.write(TestUpdates.put("crash", "before", "synced"));
            long revision = store.revision();

            cutter.arm(CommitCutter.Cut.HOLD_COMMIT);
            Future<StatusStore.Written> lost = writer.submit(() -> store.write(TestUpdates.put("crash", "lost", "failed")));
            assertTrue(cutter.awaitCut(10_000), "the write's COMMIT is held back");
            long[] held = heldTransaction(db);
            long xid = held[1];
            // a backend killed: the server ends every session and recovers from its WAL, as after a crash
            ProcessHandle.of(held[0]).orElseThrow().destroyForcibly();
            awaitServer(db);
            long next = nextTransactionId(db);
            System.out.println("held transaction " + xid + ", next transaction id after the restart " + next);
            assumeTrue(next <= xid, "the held transaction's WAL reached the disk before the crash (the next id is "
                    + next + ", after " + xid + "): its id is not reused, nothing to test this time");

            // take transaction ids, each committed, until one is the held transaction's
            long taken = reuse(db, xid);
            System.out.println("transaction id " + xid + (taken == xid ? " reused by a committed transaction"
                    : " taken by someone else; ours went on to " + taken));

            try {
                StatusStore.Written written = lost.get(60, TimeUnit.SECONDS);
                fail("acknowledged a write that never committed: " + written.record().key() + ", its transaction id "
                        + xid + " reused after the crash");
            } catch (ExecutionException e) {
                assertInstanceOf(StoreUnavailableException.class, e.getCause(), "refused with 503");
            }
            assertTrue(store.find("crash", "lost").isEmpty(), "not in memory");
            try (Connection c = db.connect(); Statement s = c.createStatement();
                    ResultSet r = s.executeQuery("SELECT count(*) FROM hosts WHERE host = 'lost'")) {
                r.next();
                assertEquals(0, r.getInt(1), "not in the database");
            }
            assertEquals(revision, store.revision());
            store.write(TestUpdates.put("crash", "after", "synced"));
            assertTrue(store.find("crash", "after").isPresent(), "the store writes again");
        } finally {
            writer.shutdownNow();
        }
    }

    /** The backend's pid and the 32-bit id of the store's transaction that holds its write lock. */
    private static long[] heldTransaction(TestPostgres.Database db) throws SQLException {
        try (Connection c = db.connect(); PreparedStatement s = c.prepareStatement("SELECT pid, backend_xid::text FROM"
                + " pg_stat_activity WHERE datname = ? AND backend_xid IS NOT NULL AND pid <> pg_backend_pid()")) {
            s.setString(1, db.name());
            try (ResultSet r = s.executeQuery()) {
                assertTrue(r.next(), "the store's transaction has an id");
                long[] held = {r.getInt(1), Long.parseLong(r.getString(2))};
                assertTrue(!r.next(), "one transaction with an id");
                return held;
            }
        }
    }

    /** Waits until the server, recovered, accepts connections again. */
    private static void awaitServer(TestPostgres.Database db) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try (Connection c = db.connect()) {
                return;
            } catch (SQLException e) {
                assertTrue(System.nanoTime() < deadline, "the server did not come back within 60 s: " + e.getMessage());
                Thread.sleep(100);
            }
        }
    }

    private static long nextTransactionId(TestPostgres.Database db) throws SQLException {
        try (Connection c = db.connect(); Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT pg_snapshot_xmax(pg_current_snapshot())::text")) {
            r.next();
            return Long.parseLong(r.getString(1)) & 0xffffffffL;
        }
    }

    /** Commits transactions until one gets {@code xid} or a later id; returns the last id taken. */
    private static long reuse(TestPostgres.Database db, long xid) throws SQLException {
        try (Connection c = db.connect()) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                for (int i = 0; i < 1_000_000; i++) {
                    long taken;
                    try (ResultSet r = s.executeQuery("SELECT pg_current_xact_id()::text")) {
                        r.next();
                        taken = Long.parseLong(r.getString(1)) & 0xffffffffL;
                    }
                    c.commit();
                    if (taken >= xid) {
                        return taken;
                    }
                }
            }
        }
        return fail("never reached transaction id " + xid);
    }
}
