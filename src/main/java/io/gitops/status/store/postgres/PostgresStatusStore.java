package io.gitops.status.store.postgres;

import io.gitops.status.api.StatusRecord;
import io.gitops.status.api.Timestamps;
import io.gitops.status.api.Transition;
import io.gitops.status.config.AppConfig;
import io.gitops.status.store.EventQuery;
import io.gitops.status.store.EventSlice;
import io.gitops.status.store.GroupCommit;
import io.gitops.status.store.LatencyHistogram;
import io.gitops.status.store.Staging;
import io.gitops.status.store.SharedDocument;
import io.gitops.status.store.StatusStore;
import io.gitops.status.store.StoreUnavailableException;
import io.gitops.status.update.Update;
import java.io.IOException;
import java.io.OutputStream;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Logger;

/**
 * The status store on PostgreSQL, for several replicas of the service on one database. Each
 * replica keeps the current records in memory ({@link Replica}) and answers reads from there;
 * history and events are read from the database ({@link HistoryQueries}).
 *
 * <p>Guarantees:
 * <ul>
 * <li>A batch of writes ({@link GroupCommit}) is one transaction under the store's write lock (the
 * row of {@code store_state}): it first catches up with what other replicas committed, so every
 * write applies to the current record (no lost update between replicas), then stores the records,
 * their transitions and the new revision, and is acknowledged only once committed durably.</li>
 * <li>A commit whose answer is lost (the connection broke) is looked up ({@link Commits}: once its
 * transaction id no longer runs, by the token the batch wrote) before the writes are answered:
 * acknowledged if it committed, 503 if not.</li>
 * <li>A replica reads its own acknowledged writes at once, and another replica's within a second
 * ({@link Follower}).</li>
 * <li>While the database is away, reads answer from the last known records, writes and
 * {@code /ready} answer 503, and the replica reconnects by itself.</li>
 * </ul>
 */
public final class PostgresStatusStore implements StatusStore {

    private static final Logger LOG = Logger.getLogger(PostgresStatusStore.class.getName());

    private final Database database;
    private final int maxHosts;
    private final int historySize;
    private final ReentrantLock guard = new ReentrantLock();
    private final GroupCommit groupCommit = new GroupCommit(guard);
    private final Replica replica = new Replica();
    private final Follower follower;
    private final HistoryQueries queries;
    private final LongAdder writes = new LongAdder();
    private final LongAdder batches = new LongAdder();
    private final LatencyHistogram writeLatency = new LatencyHistogram();
    /** The last write failure and when it happened: {@code /ready} shows it for a while. */
    private volatile Failure writeFailure;
    private volatile boolean closed;

    public PostgresStatusStore(AppConfig.Database settings, int maxHosts, int historySize) {
        this.database = new Database(settings);
        this.maxHosts = maxHosts;
        this.historySize = historySize;
        this.queries = new HistoryQueries(database, replica);
        this.follower = new Follower(database, replica, guard, settings.importFile(), historySize);
        follower.start();
    }

    /** Waits until the store has loaded its records, for start-up and tests; false when the time ran out. */
    public boolean awaitLoaded(long millis) throws InterruptedException {
        return follower.awaitLoaded(millis);
    }

    /** The store revision this replica's records reflect, for tests that wait for another replica's write. */
    public long revision() {
        return replica.revision();
    }

    /** Catches up with the database now, for tests that changed it behind this replica's back. */
    public void refresh() {
        try {
            follower.catchUpNow();
        } catch (SQLException e) {
            throw new StoreUnavailableException("cannot read " + database.displayUrl() + ": " + e.getMessage());
        }
    }

    /** Purges old deletion markers now, as the follower does every minute, for tests; false when another replica purges. */
    boolean purgeDeletionMarkers() {
        return follower.exclusively("purge", follower::purge);
    }

    @Override
    public List<StatusRecord> all() {
        ensureLoaded();
        return replica.sorted();
    }

    @Override
    public Optional<StatusRecord> find(String serverGroup, String host) {
        ensureLoaded();
        return Optional.ofNullable(replica.records().get(StatusRecord.key(serverGroup, host)));
    }

    @Override
    public List<Transition> history(StatusRecord record, int size) {
        return queries.history(record.serverGroup(), record.host(), size);
    }

    @Override
    public EventSlice events(List<StatusRecord> records, EventQuery query) {
        ensureLoaded();
        return queries.events(query);
    }

    @Override
    public void export(OutputStream out) throws IOException {
        ensureLoaded();
        queries.export(out);
    }

    @Override
    public boolean exclusively(String job, Runnable work) {
        return follower.exclusively(job, work);
    }

    @Override
    public Written write(Update update) {
        Outcome outcome = writeAll(List.of(update)).get(0);
        if (outcome.refused() != null) {
            throw outcome.refused();
        }
        return outcome.written();
    }

    @Override
    public List<Outcome> writeAll(List<? extends Update> updates) {
        return groupCommit.submit(updates, this::storeBatch, writeLatency);
    }

    /** One transaction for the batch: {@link GroupCommit}'s step, under the guard. */
    private void storeBatch(List<GroupCommit.Pending> batch) {
        ensureLoaded();
        if (closed) {
            throw new StoreUnavailableException("the store is closed; the application is shutting down");
        }
        Map<String, StatusRecord> staged;
        long committed;
        UUID token;
        try (Connection c = database.connection()) {
            Rows.State state;
            try {
                token = UUID.randomUUID();
                state = Rows.lockAndPublish(c, token);
                replica.catchUp(c, state);
                staged = Staging.stage(batch, replica.records(), Timestamps.now(), maxHosts);
                if (staged.isEmpty()) {
                    c.rollback();
                    batch.forEach(GroupCommit.Pending::stored);
                    return;
                }
                committed = state.revision() + 1;
                Rows.write(c, staged, added(staged), committed, historySize);
            } catch (SQLException | RuntimeException | Error e) {
                Commits.rollbackQuietly(c);
                throw e;
            }
            Commits.commit(database, c, state.transactionId(), committed, token);
        } catch (SQLException e) {
            throw unavailable("the write could not be stored in " + database.displayUrl() + ": " + Database.describe(e));
        }
        replica.applyOwn(staged, committed);
        batch.forEach(GroupCommit.Pending::stored);
        batches.increment();
        writes.add(batch.stream().filter(GroupCommit.Pending::isStored).count());
        writeFailure = null;
    }

    private record Failure(String why, long atNanos) {
    }

    /** How long a write failure keeps {@code /ready} at 503 when nothing else is wrong. */
    private static final long WRITE_FAILURE_SHOWN_NANOS = 5_000_000_000L;

    /** The transitions a batch adds: the replica's records hold none, so a staged record's history is all new. */
    private static Map<String, List<Transition>> added(Map<String, StatusRecord> staged) {
        Map<String, List<Transition>> added = new LinkedHashMap<>();
        staged.forEach((key, record) -> {
            if (record != null && !record.history().isEmpty()) {
                added.put(key, record.history());
            }
        });
        return added;
    }

    private StoreUnavailableException unavailable(String why) {
        LOG.warning(why);
        writeFailure = new Failure(why, System.nanoTime());
        return new StoreUnavailableException(why);
    }

    @Override
    public Stats stats() {
        return new Stats(writes.sum(), batches.sum(), writeLatency.snapshot(), -1, -1);
    }

    /** A row of {@code shared_documents}, leased through an advisory lock. */
    @Override
    public SharedDocument document(String name) {
        return new PostgresDocument(database, name);
    }

    @Override
    public Location location() {
        return new Location("postgresql", "url", database.displayUrl());
    }

    @Override
    public Readiness readiness() {
        String problem = follower.problem();
        Failure failed = writeFailure;
        if (problem == null && failed != null && System.nanoTime() - failed.atNanos() < WRITE_FAILURE_SHOWN_NANOS) {
            problem = failed.why();
        }
        return new Readiness(problem == null, location(), replica.records().size(), problem);
    }

    @Override
    public void close() {
        closed = true;
        follower.close();
        guard.lock();
        try {
            database.close();
        } finally {
            guard.unlock();
        }
    }

    private void ensureLoaded() {
        if (!replica.isLoaded()) {
            String problem = follower.problem();
            throw new StoreUnavailableException(problem != null ? problem
                    : "the records of " + database.displayUrl() + " are not loaded yet");
        }
    }
}
