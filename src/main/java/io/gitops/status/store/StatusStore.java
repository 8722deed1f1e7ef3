package io.gitops.status.store;

import io.gitops.status.api.Refusal;
import io.gitops.status.api.StatusRecord;
import io.gitops.status.api.Transition;
import io.gitops.status.update.AttributedUpdate;
import io.gitops.status.update.Update;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The servers' status records.
 *
 * <p>Thread safety: every method may be called from any number of threads at once. Returned
 * lists and records are immutable snapshots that the caller may keep; they never change
 * afterwards.
 *
 * <p>Consistency: a read reflects every write this process acknowledged before the read began. The
 * file store's reads also reflect every write another process sharing its files acknowledged
 * before; the PostgreSQL store's reflect another replica's writes within a second. A write returns
 * only once its change is durable.
 *
 * <p>Failure: when the stored data cannot be read, writes throw {@link StoreUnavailableException}
 * with the reason and the stored data is left as it is. The file store's reads throw too; the
 * PostgreSQL store's answer from the records last read while the database is away.
 *
 * <p>Shutdown: {@link #close()} waits for writes under way; later calls fail.
 */
public interface StatusStore extends AutoCloseable {

    /**
     * Every record, sorted by {@link StatusRecord#ORDER}. While the records do not change, this
     * returns the same list object, so callers may cache what they derive from it by identity.
     */
    List<StatusRecord> all();

    Optional<StatusRecord> find(String serverGroup, String host);

    /**
     * Applies one write and returns once it is durable. An update whose result is {@code null}
     * deletes the record.
     *
     * @throws io.gitops.status.api.Refusal when the update refuses the write; nothing changes
     * @throws StoreUnavailableException when the change could not be stored; nothing was acknowledged
     */
    Written write(Update update);

    /**
     * Applies several writes together: {@link FileStatusStore} makes them durable with one journal
     * append. Returns each update's outcome, in order: what it stored, or the {@link Refusal}
     * with which it refused the write (a 404 for a record gone meanwhile, say).
     *
     * @throws StoreUnavailableException when the changes could not be stored; none was acknowledged
     */
    default List<Outcome> writeAll(List<? extends Update> updates) {
        List<Outcome> outcomes = new ArrayList<>();
        for (Update update : updates) {
            outcomes.add(Outcome.of(() -> write(update)));
        }
        return outcomes;
    }

    /**
     * The last {@code size} transitions of {@code record}'s host, oldest first: in memory for the
     * file store, which keeps them in the record.
     */
    default List<Transition> history(StatusRecord record, int size) {
        return AttributedUpdate.newest(record.history(), size);
    }

    /**
     * One page of the transitions of the hosts in {@code records} (a list {@link #all()} returned)
     * that the query selects, oldest first.
     */
    default EventSlice events(List<StatusRecord> records, EventQuery query) {
        return MemoryEvents.select(records, query);
    }

    /**
     * Writes every record with its history in the data file's format ({@link StoreFormat}), streaming:
     * what a file store can take as its {@code statusFile}, or the PostgreSQL store as its import.
     */
    void export(OutputStream out) throws IOException;

    /**
     * Runs periodic work (a retention sweep) unless another process sharing this store runs it now;
     * returns whether it ran. The file store's writes re-check under its lock, so it simply runs.
     */
    default boolean exclusively(String job, Runnable work) {
        work.run();
        return true;
    }

    /**
     * The document named {@code name} kept beside the data, one writer at a time: the notifier's
     * state, shared by every process or replica of this store.
     */
    SharedDocument document(String name);

    /** This process's write counters and the size of the stored data, for {@code /metrics}. */
    Stats stats();

    /** Whether the store can serve reads and writes now, and why not. */
    Readiness readiness();

    @Override
    void close();

    /** A write's outcome: the record as stored ({@code null} once deleted), and whether the write created it. */
    record Written(StatusRecord record, boolean created) {
    }

    /** One write of {@link #writeAll}: {@code written} when stored, else {@code refused}. */
    record Outcome(Written written, Refusal refused) {

        static Outcome of(java.util.function.Supplier<Written> write) {
            try {
                return new Outcome(write.get(), null);
            } catch (StoreUnavailableException e) {
                throw e;
            } catch (Refusal e) {
                return new Outcome(null, e);
            }
        }
    }

    /**
     * @param writes writes acknowledged by this process (each changed or deleted one record)
     * @param batches journal appends, each a group of writes made durable together
     * @param latency how long acknowledged writes took, from the call to the acknowledgement
     * @param dataFileBytes the size of the data file as last written or read; -1 when the store has none
     * @param journalBytes the size of the journal not yet folded into the data file; -1 when the store has none
     */
    record Stats(long writes, long batches, LatencyHistogram.Snapshot latency, long dataFileBytes,
            long journalBytes) {
    }

    /** What the store is, for {@code /ready} and {@code GET /}: {@code file} and its path, or {@code postgresql} and its URL without credentials. */
    Location location();

    /** The store's kind and where its data is, never with a password. */
    record Location(String kind, String name, String value) {

        public static Location file(Path path) {
            return new Location("file", "path", path.toString());
        }
    }

    /** The store's state for {@code /ready}: {@code reason} is set when not ready. */
    record Readiness(boolean ready, Location location, int servers, String reason) {
    }
}
