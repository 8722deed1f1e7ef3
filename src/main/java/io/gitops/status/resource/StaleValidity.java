package io.gitops.status.resource;

import io.gitops.status.api.Staleness;
import io.gitops.status.api.StatusRecord;
import java.lang.ref.WeakReference;
import java.time.Instant;
import java.util.List;

/**
 * Until when answers made now stay exact although they show staleness: the first instant at
 * which any host of the store's list turns stale ({@link Staleness#nextChange}). Computing it
 * reads every host's last drift check, so it is remembered per list and recomputed only once
 * that instant has passed or the list changed. It is taken over the whole list, not per answer:
 * an answer may expire a little earlier than it must, never later.
 */
final class StaleValidity {

    private final Staleness staleness;
    private WeakReference<List<StatusRecord>> list = new WeakReference<>(null);
    private Instant until = Instant.MIN;

    StaleValidity(Staleness staleness) {
        this.staleness = staleness;
    }

    synchronized Instant until(List<StatusRecord> records, Instant now) {
        if (list.get() != records || now.isAfter(until)) {
            until = staleness.nextChange(records, now);
            list = new WeakReference<>(records);
        }
        return until;
    }
}
