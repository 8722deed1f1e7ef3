package io.gitops.status.store;

import io.gitops.status.api.EventKey;
import io.gitops.status.api.StatusRecord;
import java.util.function.Predicate;

/**
 * What one page of events asks for: the transitions of the hosts that {@code hosts} selects,
 * between {@code since} and {@code until} (epoch milliseconds, inclusive), after {@code after}
 * ({@code null}: from the first), at most {@code limit} of them, each host showing its last
 * {@code historySize} transitions.
 */
public record EventQuery(Predicate<StatusRecord> hosts, long since, long until, EventKey after, int limit,
        int historySize) {
}
