package io.gitops.status.store;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * Write latencies in fixed buckets, as a Prometheus histogram reports them. Recording is lock-free:
 * every acknowledged write records one value.
 */
public final class LatencyHistogram {

    /** Upper bounds in seconds: a durable write takes from a fraction of a millisecond to seconds. */
    static final double[] BOUNDS = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10};

    private final AtomicLongArray counts = new AtomicLongArray(BOUNDS.length + 1);
    private final LongAdder sumNanos = new LongAdder();

    public void record(long nanos) {
        double seconds = nanos / 1e9;
        int bucket = 0;
        while (bucket < BOUNDS.length && seconds > BOUNDS[bucket]) {
            bucket++;
        }
        counts.incrementAndGet(bucket);
        sumNanos.add(nanos);
    }

    public Snapshot snapshot() {
        long[] cumulative = new long[BOUNDS.length + 1];
        long total = 0;
        for (int i = 0; i < cumulative.length; i++) {
            total += counts.get(i);
            cumulative[i] = total;
        }
        return new Snapshot(BOUNDS.clone(), cumulative, sumNanos.sum() / 1e9);
    }

    /**
     * @param bounds the buckets' upper bounds in seconds
     * @param cumulative for each bound, the writes that took at most that long; the last element
     *     (one more than the bounds) counts every write
     * @param sumSeconds the total time of every write
     */
    public record Snapshot(double[] bounds, long[] cumulative, double sumSeconds) {
        public long count() {
            return cumulative[cumulative.length - 1];
        }
    }
}
