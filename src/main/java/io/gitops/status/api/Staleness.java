package io.gitops.status.api;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The one rule for staleness: a host is stale when it has drift checks and its latest
 * {@code last_cron_check} is more than the threshold ago. A host without drift checks is never
 * stale.
 */
public final class Staleness {

    private final Duration threshold;
    private final Clock clock;

    public Staleness(Duration threshold, Clock clock) {
        this.threshold = threshold;
        this.clock = clock;
    }

    public Duration threshold() {
        return threshold;
    }

    public Instant now() {
        return clock.instant();
    }

    public boolean isStale(StatusRecord record, Instant now) {
        Instant deadline = deadline(record);
        return deadline != null && now.isAfter(deadline);
    }

    public StatusRow row(StatusRecord record, Instant now) {
        return new StatusRow(record, isStale(record, now));
    }

    public List<StatusRow> rows(List<StatusRecord> records, Instant now) {
        return records.stream().map(record -> row(record, now)).toList();
    }

    /**
     * The first instant after {@code now} at which a record of {@code records} turns stale: until
     * then, rows made at {@code now} stay exact. {@link Instant#MAX} when none will.
     */
    public Instant nextChange(List<StatusRecord> records, Instant now) {
        Instant next = Instant.MAX;
        for (StatusRecord record : records) {
            Instant deadline = deadline(record);
            if (deadline != null && !now.isAfter(deadline) && deadline.isBefore(next)) {
                next = deadline;
            }
        }
        return next;
    }

    /** From when the record counts as stale; {@code null} when it never turns stale. */
    public Instant staleSince(StatusRecord record) {
        Instant deadline = deadline(record);
        return deadline == null ? null : deadline.plusMillis(1);
    }

    /** The last instant at which the record is still fresh; {@code null} when it never turns stale. */
    private Instant deadline(StatusRecord record) {
        Instant lastCheck = Timestamps.instant(record.lastCronCheck());
        return lastCheck == null ? null : lastCheck.plus(threshold);
    }
}
