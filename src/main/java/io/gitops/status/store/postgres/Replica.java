package io.gitops.status.store.postgres;

import io.gitops.status.api.StatusRecord;
import io.gitops.status.store.KeyOrder;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * This replica's copy of the current records, without their history, and the store revision it
 * reflects. It follows the database by revision: every committed batch raises the revision by one
 * under the store's write lock, so the rows changed after the copy's revision are exactly what it
 * misses, whether or not a notification arrived. A deletion marker purged before the copy saw it
 * ({@code purged_through} beyond its revision) makes it load whole instead.
 *
 * <p>Threads: {@link #records()}, {@link #sorted()} and {@link #revision()} may be read without
 * locks; every change needs the store's guard.
 */
final class Replica {

    private volatile ConcurrentSkipListMap<String, StatusRecord> records = new ConcurrentSkipListMap<>(KeyOrder.KEYS);
    /** The store revision the records reflect; -1 until loaded. */
    private volatile long revision = -1;
    private volatile Sorted sorted = new Sorted(-1, List.of());

    private record Sorted(long revision, List<StatusRecord> records) {
    }

    boolean isLoaded() {
        return revision >= 0;
    }

    long revision() {
        return revision;
    }

    Map<String, StatusRecord> records() {
        return records;
    }

    /** The records in list order, the same list object while they do not change. */
    List<StatusRecord> sorted() {
        Sorted cached = sorted;
        long now = revision;
        if (cached.revision() != now) {
            cached = new Sorted(now, List.copyOf(records.values()));
            sorted = cached;
        }
        return cached.records();
    }

    /**
     * Brings the copy to {@code state}'s revision, reading on {@code c}, whose transaction must see
     * one consistent state: a repeatable-read snapshot, or the write lock held.
     */
    void catchUp(Connection c, Rows.State state) throws SQLException {
        if (state.revision() == revision) {
            return;
        }
        if (revision < 0 || state.purgedThrough() > revision || state.revision() < revision) {
            ConcurrentSkipListMap<String, StatusRecord> loaded = new ConcurrentSkipListMap<>(KeyOrder.KEYS);
            Rows.readAll(c, loaded::put);
            records = loaded;
        } else {
            Rows.readChanges(c, revision, this::put);
        }
        revision = state.revision();
    }

    /** Applies a batch this replica committed at {@code committed}, the revision after its own. */
    void applyOwn(Map<String, StatusRecord> batch, long committed) {
        batch.forEach((key, record) -> put(key, record == null ? null : RecordJson.withoutHistory(record)));
        revision = committed;
    }

    private void put(String key, StatusRecord record) {
        if (record == null) {
            records.remove(key);
        } else {
            records.put(key, record);
        }
    }
}
