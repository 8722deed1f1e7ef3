package io.gitops.status.update;

import io.gitops.status.api.Refusal;
import io.gitops.status.api.StatusRecord;
import java.util.List;
import java.util.function.Predicate;

/**
 * Removes one record, which must exist (404 otherwise), if it still satisfies {@code condition}
 * when the store applies it: a bulk deletion selects records from a snapshot, and one that
 * changed since (a stale host that reported) is left alone.
 */
public record Deletion(String serverGroup, String host, Predicate<StatusRecord> condition) implements Update {

    /** {@code DELETE /status/{server_group}/{host}}: unconditionally. */
    public Deletion(String serverGroup, String host) {
        this(serverGroup, host, record -> true);
    }

    @Override
    public String source() {
        return "delete";
    }

    @Override
    public List<String> ignoredFields() {
        return List.of();
    }

    @Override
    public StatusRecord applyTo(StatusRecord current, String now) {
        if (current == null) {
            throw Refusal.notFound("no record for " + key());
        }
        return condition.test(current) ? null : current;
    }
}
