package io.gitops.status.store;

import io.gitops.status.api.Refusal;
import io.gitops.status.store.StatusStore.Outcome;
import io.gitops.status.store.StatusStore.Written;
import io.gitops.status.update.Update;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Group commit: callers queue their writes, and whichever thread takes the guard next stores
 * every queued write in one batch (one journal append, one {@code fdatasync}), so that a write's
 * cost does not grow with the number of writers.
 *
 * <p>Guarantees:
 * <ul>
 * <li>The writes of one call (a bulk deletion, a retention sweep) are queued as one unit and are
 * never split between batches.</li>
 * <li>Each write ends exactly once: stored (only when its batch's store step returned normally),
 * refused by its update, or failed. Whatever the store step throws, an {@link Error} included,
 * fails every write of the batch not yet ended with {@link StoreUnavailableException}.</li>
 * </ul>
 */
public final class GroupCommit {

    private static final Logger LOG = Logger.getLogger(GroupCommit.class.getName());

    /** Stores a batch under the guard: stages every write, makes the accepted ones durable, then ends them. */
    public interface BatchStore {
        void store(List<Pending> batch) throws Exception;
    }

    private final ReentrantLock guard;
    private final Queue<List<Pending>> queue = new ConcurrentLinkedQueue<>();

    public GroupCommit(ReentrantLock guard) {
        this.guard = guard;
    }

    /**
     * {@link #submit(List, BatchStore)}, timing each acknowledged write from the call to its
     * acknowledgement in {@code latency} (refused and failed writes are not timed).
     */
    public List<Outcome> submit(List<? extends Update> updates, BatchStore store, LatencyHistogram latency) {
        long start = System.nanoTime();
        List<Outcome> outcomes = submit(updates, store);
        for (Outcome outcome : outcomes) {
            if (outcome.refused() == null) {
                latency.record(System.nanoTime() - start);
            }
        }
        return outcomes;
    }

    /** Queues the writes as one unit, waits until they are stored, and returns their outcomes in order. */
    public List<Outcome> submit(List<? extends Update> updates, BatchStore store) {
        List<Pending> unit = updates.stream().map(Pending::new).toList();
        queue.add(unit);
        guard.lock();
        try {
            if (!unit.stream().allMatch(Pending::isEnded)) {
                storeQueued(store); // takes every queued unit, this one among them
            }
        } finally {
            guard.unlock();
        }
        List<Outcome> outcomes = new ArrayList<>(unit.size());
        for (Pending write : unit) {
            outcomes.add(write.outcome());
        }
        return outcomes;
    }

    private void storeQueued(BatchStore store) {
        List<Pending> batch = new ArrayList<>();
        for (List<Pending> unit; (unit = queue.poll()) != null; ) {
            batch.addAll(unit);
        }
        if (batch.isEmpty()) {
            return;
        }
        try {
            store.store(batch);
        } catch (StoreUnavailableException e) {
            failAll(batch, e);
        } catch (Exception | Error e) {
            LOG.log(Level.WARNING, "a batch of " + batch.size() + " writes failed", e);
            failAll(batch, new StoreUnavailableException("the write could not be stored: " + describe(e)));
        }
    }

    private static void failAll(List<Pending> batch, StoreUnavailableException e) {
        batch.forEach(write -> write.fail(e));
    }

    /** A failure in a few words for a 503's reason: its kind and message. */
    public static String describe(Throwable e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    /** One caller's write, waiting in the queue until a batch ends it. */
    public static final class Pending {
        private enum State { QUEUED, STAGED, STORED, REFUSED, FAILED }

        private final Update update;
        private volatile State state = State.QUEUED;
        private Written written;
        private RuntimeException error;

        private Pending(Update update) {
            this.update = update;
        }

        public Update update() {
            return update;
        }

        /** What the write will store once its batch is durable. */
        void staged(Written result) {
            written = result;
            state = State.STAGED;
        }

        /** The write is durable: the caller may be told so. */
        public void stored() {
            if (state == State.STAGED) {
                state = State.STORED;
            }
        }

        /** The update refused the write; nothing of it is stored. */
        void refuse(Refusal refusal) {
            error = refusal;
            state = State.REFUSED;
        }

        void fail(StoreUnavailableException e) {
            if (state == State.QUEUED || state == State.STAGED) {
                written = null;
                error = e;
                state = State.FAILED;
            }
        }

        public boolean isStored() {
            return state == State.STORED;
        }

        boolean isEnded() {
            State s = state;
            return s == State.STORED || s == State.REFUSED || s == State.FAILED;
        }

        Outcome outcome() {
            return switch (state) {
                case STORED -> new Outcome(written, null);
                case REFUSED -> new Outcome(null, (Refusal) error);
                case FAILED -> throw error;
                default -> throw new StoreUnavailableException("the write was not stored");
            };
        }
    }
}
