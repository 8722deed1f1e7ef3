package io.gitops.status.update;

import io.gitops.status.api.Refusal;
import io.gitops.status.api.StatusRecord;
import io.gitops.status.api.Timestamps;
import java.time.Instant;
import java.util.List;

/**
 * Retention's removal of a host not seen since {@code cutoff}. The condition is checked again as
 * the store applies it, so a host that reported meanwhile (through this or another process) stays.
 */
public record Expiry(String serverGroup, String host, Instant cutoff) implements Update {

    /** Whether the record was last seen before the cutoff; a record that cannot be dated stays. */
    public static boolean isExpired(StatusRecord record, Instant cutoff) {
        Instant lastSeen = Timestamps.instant(record.lastSeenOrTimestamp());
        return lastSeen != null && lastSeen.isBefore(cutoff);
    }

    @Override
    public StatusRecord applyTo(StatusRecord current, String now) {
        if (current == null) {
            throw Refusal.notFound("no record for " + key());
        }
        return isExpired(current, cutoff) ? null : current;
    }

    @Override
    public String source() {
        return "retention";
    }

    @Override
    public List<String> ignoredFields() {
        return List.of();
    }
}
