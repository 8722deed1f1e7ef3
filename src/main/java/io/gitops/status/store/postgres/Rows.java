package io.gitops.status.store.postgres;

import io.gitops.status.api.StatusRecord;
import io.gitops.status.api.Timestamps;
import io.gitops.status.api.Transition;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BiConsumer;

/**
 * The store's SQL on the tables of {@code db/migration}. Every method runs on the caller's
 * connection, inside the caller's transaction.
 */
final class Rows {

    static final String CHANNEL = "gitops_status";
    /**
     * Rows sent per JDBC batch: the driver keeps every row of a batch in memory until it is sent,
     * so an import of 100,000 hosts with 20 transitions each (2,000,000 rows) would otherwise need
     * gigabytes of heap. The chunks run in order inside the caller's transaction, as one batch would.
     */
    static final int CHUNK_ROWS = 1_000;

    private Rows() {
    }

    /** The store's revision, and what a batch needs to find out later whether its commit took effect. */
    record State(long revision, long purgedThrough, String transactionId) {
    }

    /**
     * Takes the store's write lock (the one row of {@code store_state}) until the transaction ends:
     * batches commit one after another, each raising the revision by one.
     */
    static State lockState(Connection c) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "SELECT revision, purged_through, pg_current_xact_id()::text FROM store_state WHERE id = 1 FOR UPDATE");
                ResultSet r = s.executeQuery()) {
            r.next();
            return new State(r.getLong(1), r.getLong(2), r.getString(3));
        }
    }

    /**
     * A batch's first statement, one round trip: takes the store's write lock (the row of
     * {@code store_state}, until the transaction ends; a row lock that conflicts with itself and
     * with {@code FOR UPDATE}), raises the revision by one, records the batch's {@code token} with
     * that revision (by which {@link Commits} finds out whether a commit whose answer was lost took
     * effect) and queues the notification that wakes the other replicas. A rollback undoes all of
     * it; {@code NOTIFY} is only delivered on commit. The state returned is the one before the
     * batch: the batch commits at its revision + 1.
     */
    static State lockAndPublish(Connection c, UUID token) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("WITH raised AS (UPDATE store_state SET revision = revision + 1"
                + " WHERE id = 1 RETURNING revision, purged_through, pg_notify('" + CHANNEL + "', revision::text)),"
                + " recorded AS (INSERT INTO batches (revision, token) SELECT revision, ? FROM raised)"
                + " SELECT revision - 1, purged_through, pg_current_xact_id()::text FROM raised")) {
            s.setObject(1, token);
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return new State(r.getLong(1), r.getLong(2), r.getString(3));
            }
        }
    }

    /** The revision and purge mark as the transaction sees them, without locking. */
    static State readState(Connection c) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT revision, purged_through FROM store_state WHERE id = 1");
                ResultSet r = s.executeQuery()) {
            r.next();
            return new State(r.getLong(1), r.getLong(2), null);
        }
    }

    /** Every host's current record, in list order. */
    static void readAll(Connection c, BiConsumer<String, StatusRecord> each) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "SELECT server_group, host, record FROM hosts WHERE record IS NOT NULL ORDER BY server_group, host")) {
            s.setFetchSize(2_000);
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    each.accept(StatusRecord.key(r.getString(1), r.getString(2)), RecordJson.decode(r.getString(3)));
                }
            }
        }
    }

    /** The records changed after {@code revision}: each key with its record, {@code null} when deleted. */
    static void readChanges(Connection c, long revision, BiConsumer<String, StatusRecord> each) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "SELECT server_group, host, record FROM hosts WHERE revision > ? ORDER BY revision")) {
            s.setLong(1, revision);
            s.setFetchSize(2_000);
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    String record = r.getString(3);
                    each.accept(StatusRecord.key(r.getString(1), r.getString(2)),
                            record == null ? null : RecordJson.decode(record));
                }
            }
        }
    }

    /**
     * Stores a batch's records at {@code revision} ({@code null}: deleted, with its history), the new
     * transitions of each ({@code added}), and keeps each host's newest {@code historySize} transitions.
     */
    static void write(Connection c, Map<String, StatusRecord> records, Map<String, List<Transition>> added,
            long revision, int historySize) throws SQLException {
        try (PreparedStatement upsert = c.prepareStatement("INSERT INTO hosts (server_group, host, record, revision,"
                + " changed_at) VALUES (?, ?, ?, ?, now()) ON CONFLICT (server_group, host) DO UPDATE SET"
                + " record = EXCLUDED.record, revision = EXCLUDED.revision, changed_at = EXCLUDED.changed_at");
                PreparedStatement forget = c.prepareStatement(
                        "DELETE FROM transitions WHERE server_group = ? AND host = ?")) {
            int upserts = 0;
            int forgets = 0;
            for (Map.Entry<String, StatusRecord> entry : records.entrySet()) {
                String[] key = split(entry.getKey());
                StatusRecord record = entry.getValue();
                upsert.setString(1, key[0]);
                upsert.setString(2, key[1]);
                upsert.setString(3, record == null ? null : RecordJson.encode(record));
                upsert.setLong(4, revision);
                upserts = add(upsert, upserts);
                if (record == null) {
                    forget.setString(1, key[0]);
                    forget.setString(2, key[1]);
                    forgets = add(forget, forgets);
                }
            }
            flush(upsert, upserts);
            flush(forget, forgets);
        }
        if (!added.isEmpty()) {
            insertTransitions(c, added, revision);
            trim(c, added.keySet(), historySize);
        }
    }

    /**
     * Appends transitions, each with its tie among the host's transitions of the same millisecond.
     * {@code INSERT ... SELECT}, not {@code VALUES}: the driver must not merge these rows into one
     * statement, so each row's count sees the rows inserted before it.
     */
    static void insertTransitions(Connection c, Map<String, List<Transition>> added, long revision)
            throws SQLException {
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO transitions (server_group, host, at, at_ms,"
                + " tie, from_status, to_status, source, commit_sha, changed_files_count, revision)"
                + " SELECT ?, ?, ?, ?, (SELECT count(*) FROM transitions t WHERE t.server_group = ? AND t.host = ?"
                + " AND t.at_ms = ?), ?, ?, ?, ?, ?, ?")) {
            int rows = 0;
            for (Map.Entry<String, List<Transition>> entry : added.entrySet()) {
                String[] key = split(entry.getKey());
                for (Transition t : entry.getValue()) {
                    Long at = epochMilli(t.at());
                    insert.setString(1, key[0]);
                    insert.setString(2, key[1]);
                    insert.setString(3, t.at());
                    setLong(insert, 4, at);
                    insert.setString(5, key[0]);
                    insert.setString(6, key[1]);
                    setLong(insert, 7, at);
                    insert.setString(8, t.from());
                    insert.setString(9, t.to());
                    insert.setString(10, t.source());
                    insert.setString(11, t.commitSha());
                    insert.setInt(12, t.changedFilesCount());
                    insert.setLong(13, revision);
                    rows = add(insert, rows);
                }
            }
            flush(insert, rows);
        }
    }

    /** Keeps the newest {@code historySize} transitions of each host named. */
    private static void trim(Connection c, Iterable<String> keys, int historySize) throws SQLException {
        try (PreparedStatement trim = c.prepareStatement("DELETE FROM transitions WHERE server_group = ? AND host = ?"
                // none kept (historySize 0): min(id) of nothing is NULL, and every transition goes
                + " AND id < coalesce((SELECT min(id) FROM (SELECT id FROM transitions WHERE server_group = ? AND host = ?"
                + " ORDER BY id DESC LIMIT ?) AS newest), " + Long.MAX_VALUE + ")")) {
            int rows = 0;
            for (String k : keys) {
                String[] key = split(k);
                trim.setString(1, key[0]);
                trim.setString(2, key[1]);
                trim.setString(3, key[0]);
                trim.setString(4, key[1]);
                trim.setInt(5, historySize);
                rows = add(trim, rows);
            }
            flush(trim, rows);
        }
    }

    /** The token of the batch committed at {@code revision}; {@code null} when none is (or no longer). */
    static UUID batchToken(Connection c, long revision) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT token FROM batches WHERE revision = ?")) {
            s.setLong(1, revision);
            try (ResultSet r = s.executeQuery()) {
                return r.next() ? r.getObject(1, UUID.class) : null;
            }
        }
    }

    /** Adds the statement's parameters as a row of its batch, sending the batch once it holds {@link #CHUNK_ROWS}. */
    private static int add(PreparedStatement s, int rows) throws SQLException {
        s.addBatch();
        if (rows + 1 == CHUNK_ROWS) {
            s.executeBatch();
            return 0;
        }
        return rows + 1;
    }

    /** Sends the rows of the batch not sent yet. */
    private static void flush(PreparedStatement s, int rows) throws SQLException {
        if (rows > 0) {
            s.executeBatch();
        }
    }

    static String[] split(String key) {
        int slash = key.indexOf('/');
        return new String[] {key.substring(0, slash), key.substring(slash + 1)};
    }

    /** A transition's time in epoch milliseconds; {@code null} when it is not a timestamp. */
    static Long epochMilli(String at) {
        try {
            Instant instant = Timestamps.instant(at);
            return instant == null ? null : instant.toEpochMilli();
        } catch (ArithmeticException e) {
            return null;
        }
    }

    private static void setLong(PreparedStatement s, int index, Long value) throws SQLException {
        if (value == null) {
            s.setNull(index, Types.BIGINT);
        } else {
            s.setLong(index, value);
        }
    }
}
