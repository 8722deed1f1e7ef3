package io.gitops.status.store.postgres;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * The replica's background work on the database, on one thread:
 * <ul>
 * <li>start-up, retried until it succeeds (a replica may start before its database): the schema
 * migrated, the import file imported into an empty store ({@link Importer}), the records loaded;</li>
 * <li>following other replicas' writes: {@code LISTEN} wakes it when a batch commits, and it
 * catches up by revision at least every {@value #POLL_MILLIS} ms whether woken or not, so a
 * notification missed during a reconnect loses nothing;</li>
 * <li>purging deletion markers every replica has had time to see, on one replica at a time.</li>
 * </ul>
 * Its last contact with the database tells {@code /ready} whether the database is there.
 */
final class Follower implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Follower.class.getName());
    static final int POLL_MILLIS = 250;
    /** No revision was notified: look at the database's. */
    private static final long LOOK_ANYWAY = -1;
    private static final long PURGE_EVERY_NANOS = 60_000_000_000L;
    /** A deletion marker is kept this long, far beyond the time a running replica needs to see it. */
    private static final String MARKERS_KEPT = "10 minutes";

    private final Database database;
    private final Replica replica;
    private final ReentrantLock guard;
    private final Optional<Path> importFile;
    private final int historySize;
    private final Thread thread;
    private final CountDownLatch loaded = new CountDownLatch(1);
    private volatile String problem = "connecting to the database";
    private volatile boolean closed;
    private Connection listening;
    /** When the follower last read the database's revision. */
    private long lastLook = System.nanoTime();
    private long lastPurge = System.nanoTime();
    private String lastLogged;

    Follower(Database database, Replica replica, ReentrantLock guard, Optional<Path> importFile, int historySize) {
        this.database = database;
        this.replica = replica;
        this.guard = guard;
        this.importFile = importFile;
        this.historySize = historySize;
        this.thread = new Thread(this::run, "gitops-status-follower");
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    boolean awaitLoaded(long millis) throws InterruptedException {
        return loaded.await(millis, TimeUnit.MILLISECONDS);
    }

    /** Why the store cannot serve now, or {@code null}. */
    String problem() {
        return problem;
    }

    /** Catches up with the database now, on the caller's thread. */
    void catchUpNow() throws SQLException {
        guard.lock();
        try {
            catchUp();
        } finally {
            guard.unlock();
        }
    }

    private void run() {
        long backoff = 500;
        long wanted = LOOK_ANYWAY;
        while (!closed) {
            try {
                if (!replica.isLoaded()) {
                    startUp();
                }
                follow(wanted);
                backoff = 500; // the database answered: the next failure is retried soon again
                wanted = awaitWakeUp();
            } catch (SQLException | RuntimeException e) {
                if (closed) {
                    break;
                }
                report("the database at " + database.displayUrl() + " cannot be used: " + Database.describe(e), e);
                closeListening();
                wanted = LOOK_ANYWAY; // notifications may have been missed meanwhile
                sleep(backoff);
                backoff = Math.min(5_000, backoff * 2);
            } catch (Error e) {
                report("the database follower failed: " + Database.describe(e), e);
                closeListening();
                wanted = LOOK_ANYWAY;
                sleep(backoff);
            }
        }
        closeListening();
    }

    private void startUp() throws SQLException {
        database.migrate();
        if (importFile.isPresent()) {
            Importer.importIfEmpty(database, importFile.get(), historySize);
        }
        catchUpNow();
        problem = null;
        lastLogged = null;
        loaded.countDown();
        LOG.info("status store on " + database.displayUrl() + ": " + replica.records().size()
                + " hosts at revision " + replica.revision());
    }

    /** Listens (again, after a failure), catches up and purges when due. */
    private void follow(long wanted) throws SQLException {
        if (listening == null) {
            Connection c = database.connection();
            try {
                c.setAutoCommit(true);
                try (Statement s = c.createStatement()) {
                    s.execute("LISTEN " + Rows.CHANNEL);
                }
            } catch (SQLException | RuntimeException e) {
                database.discard(c);
                throw e;
            }
            listening = c;
        }
        // after LISTEN, so that a batch committed from here on either wakes us or is read below;
        // a notification of a revision this replica holds already (its own, or one its writer read
        // under the lock) costs nothing, but it looks at least every POLL_MILLIS whatever it heard
        boolean behind = wanted == LOOK_ANYWAY || wanted > replica.revision()
                || System.nanoTime() - lastLook > POLL_MILLIS * 1_000_000L;
        if (behind && guard.tryLock()) { // a writer holding the guard catches up in its own transaction
            try {
                catchUp();
                lastLook = System.nanoTime();
            } finally {
                guard.unlock();
            }
        }
        if (problem != null) {
            LOG.info("the database at " + database.displayUrl() + " answers again");
        }
        problem = null;
        lastLogged = null;
        purgeWhenDue();
    }

    /** Waits for the next notification, or the next poll at the latest. */
    /** The newest revision notified while waiting, or {@link #LOOK_ANYWAY} when none was (or one cannot be read). */
    private long awaitWakeUp() throws SQLException {
        PGNotification[] notifications = listening.unwrap(PGConnection.class).getNotifications(POLL_MILLIS);
        long newest = LOOK_ANYWAY;
        if (notifications != null) {
            for (PGNotification notification : notifications) {
                try {
                    newest = Math.max(newest, Long.parseLong(notification.getParameter()));
                } catch (NumberFormatException e) {
                    return LOOK_ANYWAY;
                }
            }
        }
        return newest;
    }

    /** One consistent snapshot of the revision and the rows changed since the replica's. */
    private void catchUp() throws SQLException {
        try (Connection c = database.connection()) {
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            c.setReadOnly(true);
            try {
                replica.catchUp(c, Rows.readState(c));
            } finally {
                Commits.rollbackQuietly(c);
            }
        }
    }

    private void purgeWhenDue() {
        if (System.nanoTime() - lastPurge < PURGE_EVERY_NANOS) {
            return;
        }
        lastPurge = System.nanoTime();
        exclusively("purge", this::purge);
    }

    /**
     * Removes the deletion markers older than {@value #MARKERS_KEPT} and raises {@code purged_through}
     * past them, and forgets the batch tokens as old; run under {@code exclusively("purge", ...)}, every minute or by a test.
     */
    void purge() {
        try (Connection c = database.connection()) {
            Rows.lockState(c);
            try (PreparedStatement s = c.prepareStatement("WITH purged AS (DELETE FROM hosts WHERE record IS NULL"
                    + " AND changed_at < now() - interval '" + MARKERS_KEPT + "' RETURNING revision)"
                    + " UPDATE store_state SET purged_through = GREATEST(purged_through,"
                    + " (SELECT coalesce(max(revision), 0) FROM purged)) WHERE id = 1")) {
                s.executeUpdate();
            }
            try (PreparedStatement s = c.prepareStatement("DELETE FROM batches WHERE committed_at < now() - interval '"
                    + MARKERS_KEPT + "'")) {
                s.executeUpdate();
            }
            c.commit();
        } catch (SQLException e) {
            LOG.log(Level.WARNING, "purging deletion markers failed; the next purge tries again", e);
        }
    }

    /**
     * Runs {@code work} unless another replica holds the job's advisory lock; returns whether it ran.
     * The lock is a session lock on a connection held while the work runs.
     */
    boolean exclusively(String job, Runnable work) {
        try (Connection c = database.connection()) {
            c.setAutoCommit(true);
            if (!advisory(c, "pg_try_advisory_lock", job)) {
                return false;
            }
            try {
                work.run();
                return true;
            } finally {
                advisory(c, "pg_advisory_unlock", job);
            }
        } catch (SQLException e) {
            throw new io.gitops.status.store.StoreUnavailableException(
                    "cannot take the lock of " + job + " in " + database.displayUrl() + ": " + e.getMessage());
        }
    }

    static boolean advisory(Connection c, String function, String job) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT " + function + "(hashtext(?))")) {
            s.setString(1, "gitops-status:" + job);
            try (ResultSet r = s.executeQuery()) {
                return r.next() && r.getBoolean(1);
            }
        }
    }

    private void report(String why, Throwable e) {
        problem = why;
        if (!Objects.equals(why, lastLogged)) { // once per distinct failure, not every retry
            LOG.log(Level.WARNING, why, LOG.isLoggable(Level.FINE) ? e : null);
            lastLogged = why;
        }
    }

    private void closeListening() {
        if (listening != null) {
            // never back to the pool: it may be broken without the pool knowing (getNotifications
            // fails past it), and a healthy one would go on collecting notifications for a borrower
            database.discard(listening);
            listening = null;
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
