package io.gitops.status.notify;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * This process's delivery counts per receiver and outcome, for {@code gitops_notifications_total}:
 * {@code sent}, {@code failed} (a try that failed; it is retried unless it was the last) and
 * {@code dead} (dead-lettered). Thread-safe.
 */
final class Counters {

    static final String SENT = "sent";
    static final String FAILED = "failed";
    static final String DEAD = "dead";

    private final Map<String, Map<String, LongAdder>> counts = new ConcurrentHashMap<>();

    void add(String receiver, String state) {
        adder(receiver, state).increment();
    }

    /** Makes a receiver's counters show as 0 before its first delivery. */
    void declare(String receiver) {
        List.of(SENT, FAILED, DEAD).forEach(state -> adder(receiver, state));
    }

    /** Receiver to state to count, sorted. */
    Map<String, Map<String, Long>> snapshot() {
        Map<String, Map<String, Long>> copy = new TreeMap<>();
        counts.forEach((receiver, states) -> {
            Map<String, Long> byState = new TreeMap<>();
            states.forEach((state, adder) -> byState.put(state, adder.sum()));
            copy.put(receiver, byState);
        });
        return copy;
    }

    private LongAdder adder(String receiver, String state) {
        return counts.computeIfAbsent(receiver, r -> new ConcurrentHashMap<>())
                .computeIfAbsent(state, s -> new LongAdder());
    }
}
