package io.gitops.status.store;

import io.gitops.status.api.Refusal;
import io.gitops.status.api.StatusRecord;
import io.gitops.status.api.Timestamps;
import io.gitops.status.update.Update;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The status store on a JSON data file ({@link StoreFormat}) and an append-only journal beside it
 * ({@link Journal}), shared safely by every thread of this JVM and by other processes running this
 * application on the same files. It coordinates its parts: {@link GroupCommit} batches writes,
 * {@link FileView} holds the records and catches up with other processes, {@link Compaction} folds
 * the journal, {@link V1Migration} converts old files, {@link ReadinessCheck} answers {@code /ready}.
 *
 * <p>Guarantees:
 * <ul>
 * <li>A write is acknowledged only once it is appended to the journal and forced; a write that
 * fails anywhere on the way (an {@link Error} included) is answered with {@link
 * StoreUnavailableException} and never takes effect, now or after a restart.</li>
 * <li>The data file is only ever replaced atomically ({@link AtomicFiles}). The journal is folded
 * into it when it outgrows the data file, after {@value #QUIET_SECONDS} quiet seconds, and at
 * {@link #close()}; a load replays the lines the data file has not folded, each exactly once.</li>
 * <li>Writes are serialised by a JVM-wide guard for the file, then by {@link ProcessLock} between
 * processes; under both, the writer first catches up with what other processes wrote.</li>
 * <li>Reads answer from memory after a cheap check that no process wrote since.</li>
 * <li>A data file or journal that cannot be read is never written over: the store reports it as
 * unavailable until the files change. The one repair it makes is cutting off a journal's
 * incomplete last line, which a crash during an append leaves and which was never acknowledged.</li>
 * <li>At most {@code maxHosts} records: a write that would create one more is refused.</li>
 * </ul>
 */
public final class FileStatusStore implements StatusStore {

    /** The journal is folded into the data file once it is larger than this and than the data file. */
    static final long MIN_COMPACTION_BYTES = 4L * 1024 * 1024;
    public static final int DEFAULT_MAX_HOSTS = 1_000_000;

    private static final Logger LOG = Logger.getLogger(FileStatusStore.class.getName());
    /** One guard per data file for the whole JVM: a JVM may hold only one lock on a file. */
    private static final Map<Path, ReentrantLock> GUARDS = new ConcurrentHashMap<>();

    private final Path file;
    private final Path journalFile;
    private final int maxHosts;
    private final ReentrantLock guard;
    private final ProcessLock processLock;
    private final FileView view;
    private final GroupCommit groupCommit;
    private final Compaction compaction;
    private final ReadinessCheck readinessCheck;
    private final LongAdder writes = new LongAdder();
    private final LongAdder batches = new LongAdder();
    private final LatencyHistogram writeLatency = new LatencyHistogram();
    private volatile Sorted sorted = new Sorted(-1, List.of());
    private volatile boolean closed;

    public FileStatusStore(Path file) {
        this(file, DEFAULT_MAX_HOSTS, FaultPoint.NONE);
    }

    public FileStatusStore(Path file, int maxHosts, FaultPoint faults) {
        this.file = file.toAbsolutePath().normalize();
        this.journalFile = sibling(Journal.SUFFIX);
        this.maxHosts = maxHosts;
        this.guard = GUARDS.computeIfAbsent(this.file, f -> new ReentrantLock());
        this.processLock = new ProcessLock(sibling(".lock"));
        this.view = new FileView(this.file, journalFile, processLock, faults);
        this.groupCommit = new GroupCommit(guard);
        this.compaction = new Compaction(this.file, journalFile, guard, processLock, view, faults);
        this.readinessCheck = new ReadinessCheck(this.file.getParent(), List.of(this.file, journalFile));
        open();
        compaction.start();
    }

    private void open() {
        guard.lock();
        try {
            Files.createDirectories(file.getParent());
            try (ProcessLock.Held lock = processLock.acquire()) {
                AtomicFiles.removeLeftovers(file);
                AtomicFiles.removeLeftovers(journalFile);
                view.catchUp(lock);
            }
        } catch (IOException e) {
            LOG.severe("status store unavailable: cannot open " + file + ": " + GroupCommit.describe(e));
        } catch (StoreUnavailableException e) {
            // logged where it was found; the store answers 503 until the files are fixed
        } finally {
            guard.unlock();
        }
    }

    @Override
    public List<StatusRecord> all() {
        ensureCurrent();
        Sorted cached = sorted;
        long generation = view.generation();
        if (cached.generation() != generation) {
            cached = new Sorted(generation, List.copyOf(view.records().values()));
            sorted = cached;
        }
        return cached.records();
    }

    @Override
    public Optional<StatusRecord> find(String serverGroup, String host) {
        ensureCurrent();
        return Optional.ofNullable(view.records().get(StatusRecord.key(serverGroup, host)));
    }

    @Override
    public Written write(Update update) {
        Outcome outcome = writeAll(List.of(update)).get(0);
        if (outcome.refused() != null) {
            throw outcome.refused();
        }
        return outcome.written();
    }

    @Override
    public List<Outcome> writeAll(List<? extends Update> updates) {
        return groupCommit.submit(updates, this::storeBatch, writeLatency);
    }

    @Override
    public Stats stats() {
        guard.lock();
        try {
            return new Stats(writes.sum(), batches.sum(), writeLatency.snapshot(), view.dataFileLength(),
                    view.journalLength());
        } finally {
            guard.unlock();
        }
    }

    @Override
    public Readiness readiness() {
        return readinessCheck.answer(view.generation(), view.failure(), () -> {
            try {
                ensureCurrent();
                String problem = readinessCheck.problem();
                return new Readiness(problem == null, location(), view.records().size(), problem);
            } catch (Refusal e) {
                return new Readiness(false, location(), 0, e.getMessage());
            }
        });
    }

    @Override
    public Location location() {
        return Location.file(file);
    }

    /** {@code <data file>.<name>}, locked through {@code <data file>.<name>.lock}. */
    @Override
    public SharedDocument document(String name) {
        return new FileDocument(sibling("." + name));
    }

    /** The records as they are now, with their history: the data file as a compaction would write it, without its folded mark. */
    @Override
    public void export(OutputStream out) throws IOException {
        StoreFormat.write(all(), null, out);
    }

    /** Stops the compactor and folds the journal into the data file; later calls fail. */
    @Override
    public void close() {
        compaction.stop();
        guard.lock();
        try {
            if (!closed) {
                closed = true;
                compaction.runLogged("shutdown");
                processLock.close();
            }
        } catch (IOException e) {
            LOG.log(Level.WARNING, "could not close the lock file of " + file, e);
        } finally {
            guard.unlock();
        }
    }

    /** Catches up with the files first if any process wrote since the records were read. */
    private void ensureCurrent() {
        if (view.isCurrentForReaders()) {
            String failure = view.failure();
            if (failure != null) {
                throw new StoreUnavailableException(failure);
            }
            return;
        }
        guard.lock();
        try {
            ensureOpen();
            try (ProcessLock.Held lock = processLock.acquire()) {
                view.catchUp(lock);
            }
        } catch (IOException e) {
            throw new StoreUnavailableException("cannot read " + file + ": " + GroupCommit.describe(e));
        } finally {
            guard.unlock();
        }
    }

    /** Stores a batch of writes with one journal append: {@link GroupCommit}'s step, under the guard. */
    private void storeBatch(List<GroupCommit.Pending> batch) {
        boolean compact = false;
        try {
            ensureOpen();
            try (ProcessLock.Held lock = processLock.acquire()) {
                view.catchUp(lock);
                Map<String, StatusRecord> staged = Staging.stage(batch, view.records(), Timestamps.now(), maxHosts);
                if (!staged.isEmpty()) {
                    List<JournalEntry> entries = new ArrayList<>(staged.size());
                    staged.forEach((key, record) -> entries.add(JournalEntry.of(key, view.records().get(key), record)));
                    view.append(lock, entries);
                    batches.increment();
                    compact = view.journalLength() > Math.max(MIN_COMPACTION_BYTES, view.dataFileLength());
                }
                // Durable and applied: from here on nothing may turn these writes into errors.
                batch.forEach(GroupCommit.Pending::stored);
            }
        } catch (IOException e) {
            if (batch.stream().anyMatch(GroupCommit.Pending::isStored)) {
                LOG.log(Level.WARNING, "releasing the lock of " + file + " after a stored batch", e);
            } else {
                String why = "cannot write " + journalFile + ": " + GroupCommit.describe(e);
                LOG.warning(why);
                readinessCheck.writeFailed(why);
                throw new StoreUnavailableException(why);
            }
        }
        writes.add(batch.stream().filter(GroupCommit.Pending::isStored).count());
        readinessCheck.writeSucceeded();
        if (compact) {
            compaction.request();
        }
    }

    private Path sibling(String suffix) {
        return file.resolveSibling(file.getFileName() + suffix);
    }

    private void ensureOpen() {
        if (closed) {
            throw new StoreUnavailableException("the store is closed; the application is shutting down");
        }
    }

    private record Sorted(long generation, List<StatusRecord> records) {
    }
}
