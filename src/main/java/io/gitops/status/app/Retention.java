package io.gitops.status.app;

import io.gitops.status.api.StatusRecord;
import io.gitops.status.store.StatusStore;
import io.gitops.status.store.StoreUnavailableException;
import io.gitops.status.update.Expiry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Removes hosts not seen ({@code last_seen}, else the record's {@code timestamp}) for longer than
 * the retention period, logging each host's key. Runs on its own thread every tenth of the period
 * (at least every second, at most every minute), so a host goes at most that late.
 */
public final class Retention implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Retention.class.getName());

    private final StatusStore store;
    private final Duration retainFor;
    private final Clock clock;
    private final ScheduledExecutorService sweeper;

    public Retention(StatusStore store, Duration retainFor, Clock clock) {
        this.store = store;
        this.retainFor = retainFor;
        this.clock = clock;
        this.sweeper = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "gitops-status-retention");
            thread.setDaemon(true);
            return thread;
        });
    }

    public void start() {
        long period = Math.max(1000, Math.min(60_000, retainFor.toMillis() / 10));
        sweeper.scheduleWithFixedDelay(this::sweepLogged, 0, period, TimeUnit.MILLISECONDS);
        LOG.info("retention: hosts not seen for " + retainFor + " are removed, checked every " + period + " ms");
    }

    /** Removes every host not seen since {@code retainFor} ago, in one durable batch; returns the keys removed. */
    public List<String> sweep() {
        Instant cutoff = clock.instant().minus(retainFor);
        List<StatusRecord> expired = store.all().stream().filter(record -> Expiry.isExpired(record, cutoff)).toList();
        List<StatusStore.Outcome> outcomes = store.writeAll(
                expired.stream().map(record -> new Expiry(record.serverGroup(), record.host(), cutoff)).toList());
        List<String> removed = new ArrayList<>();
        for (int i = 0; i < expired.size(); i++) {
            StatusRecord record = expired.get(i);
            StatusStore.Outcome outcome = outcomes.get(i);
            // Refused: deleted meanwhile; a record left in place: it reported meanwhile.
            if (outcome.refused() == null && outcome.written().record() == null) {
                removed.add(record.key());
                LOG.info("retention: removed " + record.key() + ", last seen "
                        + record.lastSeenOrTimestamp()
                        + ", not seen for more than " + retainFor);
            }
        }
        return removed;
    }

    /** One sweep, unless another replica sweeping the same store holds the job now. */
    private void sweepLogged() {
        try {
            store.exclusively("retention", this::sweep);
        } catch (StoreUnavailableException e) {
            // /ready reports it; the next sweep tries again
        } catch (RuntimeException | Error e) {
            // whatever it was (an OutOfMemoryError included), the schedule must go on
            LOG.log(Level.WARNING, "retention sweep failed; the next one tries again", e);
        }
    }

    @Override
    public void close() {
        sweeper.shutdown();
        try {
            sweeper.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
