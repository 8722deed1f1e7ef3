package io.gitops.status.resource;

import io.gitops.status.api.Condition;
import io.gitops.status.api.Staleness;
import io.gitops.status.api.StatusRecord;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How many hosts of each group, and of the fleet, are in each {@link Condition}. A badge is
 * fetched again and again (every README view, every minute by each cache) while the store rarely
 * changes, so the tallies of every group are made in one pass and kept until the store's list
 * changes or the next host turns stale; then a group or fleet badge costs a map lookup.
 */
final class BadgeTallies {

    /** Hosts per condition: the counts and the worst condition present. */
    static final class Tally {
        private final long[] counts = new long[Condition.values().length];
        private long total;

        private void add(Condition condition) {
            counts[condition.ordinal()]++;
            total++;
        }

        long total() {
            return total;
        }

        long count(Condition condition) {
            return counts[condition.ordinal()];
        }

        /** The worst condition of a host counted; {@link Condition#UNKNOWN} when none was. */
        Condition worst() {
            Condition worst = Condition.SYNCED;
            for (Condition condition : Condition.values()) {
                if (counts[condition.ordinal()] > 0) {
                    worst = Condition.worse(worst, condition);
                }
            }
            return total == 0 ? Condition.UNKNOWN : worst;
        }
    }

    /** The tallies made from one list, exact until {@code validUntil}. */
    record Snapshot(List<StatusRecord> list, Instant validUntil, Tally fleet, Map<String, Tally> groups) {
    }

    private final Staleness staleness;
    private volatile Snapshot current;

    BadgeTallies(Staleness staleness) {
        this.staleness = staleness;
    }

    /** The tallies of {@code records}, the store's current list, as of {@code now}. */
    Snapshot of(List<StatusRecord> records, Instant now) {
        Snapshot seen = current;
        if (seen != null && seen.list() == records && !now.isAfter(seen.validUntil())) {
            return seen;
        }
        // Two threads may both count after a change; both results are right, the last one is kept.
        Tally fleet = new Tally();
        Map<String, Tally> groups = new HashMap<>();
        for (StatusRecord record : records) {
            Condition condition = Condition.of(record.status(), staleness.isStale(record, now));
            fleet.add(condition);
            groups.computeIfAbsent(record.serverGroup(), group -> new Tally()).add(condition);
        }
        Snapshot made = new Snapshot(records, staleness.nextChange(records, now), fleet, Map.copyOf(groups));
        current = made;
        return made;
    }
}
