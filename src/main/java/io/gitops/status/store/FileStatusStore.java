package io.gitops.status.store;

import io.gitops.status.api.StatusRecord;
import io.gitops.status.api.Refusal;
import io.gitops.status.api.Timestamps;
import io.gitops.status.update.Update;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The status store on a JSON data file ({@link StoreFormat}) and an append-only journal beside it
 * ({@link Journal}), shared safely by every thread of this JVM and by other processes running this
 * application on the same files.
 *
 * <p>Guarantees:
 * <ul>
 * <li>A write is acknowledged only once it is on disk: appended to the journal and forced. Writes
 * queued while another batch is being stored are appended together and forced once (group commit),
 * so a write's cost does not depend on the number of servers.</li>
 * <li>The data file is only ever replaced atomically ({@link AtomicFiles}), so it is always a
 * complete file. The journal is folded into it (compaction) when the journal outgrows the data
 * file, when writes have been quiet for {@value #QUIET_SECONDS} seconds, and at {@link #close()};
 * at start-up the journal is replayed over it.</li>
 * <li>Writes are serialised by a JVM-wide guard for the file, then by {@link ProcessLock} between
 * processes. Under both, the writer first catches up with what other processes wrote (the new
 * part of the journal, or everything after another process compacted), so no acknowledged update
 * is lost.</li>
 * <li>Reads answer from memory after a cheap check (lock-file version and the files' attributes)
 * that no process wrote since; otherwise they catch up first.</li>
 * <li>A data file or journal that cannot be read is never written over: the store reports it as
 * unavailable until the files change, then tries again. The one repair it makes is cutting off a
 * journal's incomplete last entry, which a crash during an append leaves and which was never
 * acknowledged.</li>
 * </ul>
 */
public final class FileStatusStore implements StatusStore {

    static final int QUIET_SECONDS = 2;
    private static final int READY_PROBE_BYTES = 16 * 1024;
    /** The journal is folded into the data file once it is larger than this and than the data file. */
    static final long MIN_COMPACTION_BYTES = 4L * 1024 * 1024;

    private static final Logger LOG = Logger.getLogger(FileStatusStore.class.getName());

    /** One guard per data file for the whole JVM: a JVM may hold only one lock on a file. */
    private static final Map<Path, ReentrantLock> GUARDS = new ConcurrentHashMap<>();

    private final Path file;
    private final ProcessLock processLock;
    private final Path journalFile;
    private final ReentrantLock guard;
    private final Queue<PendingWrite> queue = new ConcurrentLinkedQueue<>();
    private final ScheduledExecutorService compactor;
    private final AtomicBoolean compactionRequested = new AtomicBoolean();
    private final LongAdder writes = new LongAdder();
    private final LongAdder batches = new LongAdder();
    private final LatencyHistogram writeLatency = new LatencyHistogram();

    /** The records, kept in list order; replaced whole on a full reload. */
    private volatile ConcurrentSkipListMap<String, StatusRecord> records = new ConcurrentSkipListMap<>(KEY_ORDER);
    /** The files as they were when {@link #records} last matched them; {@code null}: reload. */
    private volatile Stamp known;
    /** Why the store cannot serve, while the files are as {@link #known} says; else {@code null}. */
    private volatile String failure;
    /** Changes whenever the records change, for caches of what is derived from them. */
    private volatile long generation;
    private volatile Sorted sorted = new Sorted(-1, List.of());
    private volatile boolean closed;
    /** Guarded by {@link #guard}: the journal's length that {@link #records} includes. */
    private long journalLength;
    private long dataFileLength;

    public FileStatusStore(Path file) {
        this.file = file.toAbsolutePath().normalize();
        this.processLock = new ProcessLock(sibling(".lock"));
        this.journalFile = sibling(Journal.SUFFIX);
        this.guard = GUARDS.computeIfAbsent(this.file, f -> new ReentrantLock());
        this.failure = "not loaded yet";
        guard.lock();
        try {
            Files.createDirectories(this.file.getParent());
            try (ProcessLock.Held lock = processLock.acquire()) {
                removeLeftoverTempFiles();
                catchUp(lock);
            }
        } catch (IOException e) {
            failure = "cannot open " + this.file + ": " + describe(e);
            LOG.severe("status store unavailable: " + failure);
        } catch (StoreUnavailableException e) {
            // logged where it was found; the store answers 503 until the files are fixed
        } finally {
            guard.unlock();
        }
        compactor = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "gitops-status-compactor");
            thread.setDaemon(true);
            return thread;
        });
        compactor.scheduleWithFixedDelay(this::compactIfQuiet, 1, 1, TimeUnit.SECONDS);
    }

    @Override
    public List<StatusRecord> all() {
        ensureCurrent();
        Sorted cached = sorted;
        long now = generation;
        if (cached.generation() != now) {
            cached = new Sorted(now, List.copyOf(records.values()));
            sorted = cached;
        }
        return cached.records();
    }

    @Override
    public Optional<StatusRecord> find(String serverGroup, String host) {
        ensureCurrent();
        return Optional.ofNullable(records.get(StatusRecord.key(serverGroup, host)));
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
        long start = System.nanoTime();
        List<PendingWrite> writes = updates.stream().map(PendingWrite::new).toList();
        queue.addAll(writes);
        guard.lock();
        try {
            if (!writes.stream().allMatch(PendingWrite::isDone)) {
                commitQueued(); // takes every queued write, so all of these in one batch
            }
        } finally {
            guard.unlock();
        }
        List<Outcome> outcomes = new ArrayList<>();
        for (PendingWrite write : writes) {
            Outcome outcome = Outcome.of(write::outcome);
            if (outcome.refused() == null) { // the histogram times acknowledged writes only
                writeLatency.record(System.nanoTime() - start);
            }
            outcomes.add(outcome);
        }
        return outcomes;
    }

    @Override
    public Stats stats() {
        guard.lock();
        try {
            return new Stats(writes.sum(), batches.sum(), writeLatency.snapshot(), dataFileLength, journalLength);
        } finally {
            guard.unlock();
        }
    }

    @Override
    public Readiness readiness() {
        try {
            ensureCurrent();
            // A few blocks, not an empty file: a full disk still has inodes for empty files.
            Path probe = AtomicFiles.writeTemp(file, new byte[READY_PROBE_BYTES]);
            Files.deleteIfExists(probe);
            return new Readiness(true, file, records.size(), null);
        } catch (Refusal e) {
            return new Readiness(false, file, 0, e.getMessage());
        } catch (IOException e) {
            return new Readiness(false, file, 0, "data folder " + file.getParent() + " is not writable: "
                    + describe(e));
        }
    }

    /** Stops the compactor and folds the journal into the data file; later calls fail. */
    @Override
    public void close() {
        // No interrupt: an interrupted thread's FileChannel is closed, which would drop the lock.
        compactor.shutdown();
        try {
            compactor.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        guard.lock();
        try {
            if (!closed) {
                closed = true;
                compact("shutdown");
                processLock.close();
            }
        } catch (IOException e) {
            LOG.log(Level.WARNING, "could not close the lock file of " + file, e);
        } finally {
            guard.unlock();
        }
    }

    /**
     * Catches up with the files if any process wrote since the records were loaded. The check reads
     * the lock file's version and the data file's attributes only: every write publishes a new
     * version after it is applied in memory, so a read does not wait behind this process's own
     * journal appends, and sees every write acknowledged before it began.
     */
    private void ensureCurrent() {
        Stamp seen = known;
        // While failed, any change of any file (a fixed journal too) is worth another try.
        boolean unchanged = seen != null
                && (failure == null ? seen.seenByReaders(readerStamp()) : seen.equals(stampOrNull()));
        if (!unchanged) {
            guard.lock();
            try {
                ensureOpen();
                try (ProcessLock.Held lock = processLock.acquire()) {
                    catchUp(lock);
                }
            } catch (IOException e) {
                throw new StoreUnavailableException("cannot read " + file + ": " + describe(e));
            } finally {
                guard.unlock();
            }
        } else if (failure != null) {
            throw new StoreUnavailableException(failure);
        }
    }

    /** Stores every queued write with one journal append. Caller holds the guard. */
    private void commitQueued() {
        List<PendingWrite> batch = new ArrayList<>();
        for (PendingWrite w; (w = queue.poll()) != null; ) {
            batch.add(w);
        }
        if (batch.isEmpty()) {
            return;
        }
        try {
            ensureOpen();
            try (ProcessLock.Held lock = processLock.acquire()) {
                catchUp(lock);
                String now = Timestamps.now();
                Map<String, StatusRecord> staged = new LinkedHashMap<>();
                List<PendingWrite> accepted = new ArrayList<>();
                for (PendingWrite write : batch) {
                    if (write.stage(staged, records, now)) {
                        accepted.add(write);
                    }
                }
                if (!staged.isEmpty()) {
                    List<Journal.Entry> entries = new ArrayList<>();
                    staged.forEach((key, record) -> entries.add(Journal.Entry.of(key, records.get(key), record)));
                    byte[] lines = Journal.encode(entries);
                    Journal.append(journalFile, journalLength, lines);
                    journalLength += lines.length;
                    staged.forEach((key, record) -> new Journal.Entry(key, record).applyTo(records));
                    batches.increment();
                    generation++;
                    lock.publishNewVersion();
                    known = stamp();
                    if (journalLength > Math.max(MIN_COMPACTION_BYTES, dataFileLength)) {
                        requestCompaction();
                    }
                }
                accepted.forEach(PendingWrite::acknowledge);
                writes.add(accepted.size());
            }
        } catch (IOException e) {
            StoreUnavailableException failed = new StoreUnavailableException(
                    "cannot write " + journalFile + ": " + describe(e));
            batch.forEach(w -> w.fail(failed));
            LOG.warning(failed.getMessage());
        } catch (RuntimeException e) {
            batch.forEach(w -> w.fail(e));
        }
    }

    /**
     * Brings {@link #records} up to date with the files: nothing when nobody wrote, the journal's
     * new entries when only those were added, else a full reload. Caller holds both locks.
     */
    private void catchUp(ProcessLock.Held lock) throws IOException {
        Stamp now = stamp();
        if (now.equals(known)) {
            if (failure != null) {
                throw new StoreUnavailableException(failure);
            }
            return;
        }
        try {
            if (failure == null && known != null && now.continues(known) && now.journalSize() >= journalLength) {
                Journal.Contents added = Journal.read(journalFile, journalLength);
                added.entries().forEach(entry -> entry.applyTo(records));
                journalLength = added.validLength();
            } else {
                load(lock);
            }
        } catch (StoreFormat.DamagedFileException e) {
            failure = "data files of " + file + " are damaged and are left untouched until they are fixed: "
                    + e.getMessage();
            known = now;
            LOG.severe(failure);
            throw new StoreUnavailableException(failure);
        }
        generation++;
        known = stamp();
        failure = null;
    }

    /** Reads the data file (migrating v1 data) and replays the journal over it. */
    private void load(ProcessLock.Held lock) throws IOException, StoreFormat.DamagedFileException {
        ConcurrentSkipListMap<String, StatusRecord> loaded = new ConcurrentSkipListMap<>(KEY_ORDER);
        long length = 0;
        if (Files.exists(file)) {
            byte[] bytes = Files.readAllBytes(file);
            length = bytes.length;
            StoreFormat.Contents contents = StoreFormat.read(bytes, Timestamps.now());
            loaded.putAll(contents.records());
            if (contents.fromV1()) {
                Path backup = backUpV1File();
                AtomicFiles.replace(file, out -> StoreFormat.write(contents.records().values(), out));
                length = Files.size(file);
                lock.publishNewVersion();
                LOG.info("migrated v1 data file " + file + " (" + loaded.size()
                        + " records); the original is kept as " + backup);
            }
        }
        Journal.Contents journal = Journal.read(journalFile, 0);
        journal.entries().forEach(entry -> entry.applyTo(loaded));
        records = loaded;
        journalLength = journal.validLength();
        dataFileLength = length;
    }

    private void compactIfQuiet() {
        try {
            BasicFileAttributes journal = Files.readAttributes(journalFile, BasicFileAttributes.class);
            long idleMillis = System.currentTimeMillis() - journal.lastModifiedTime().toMillis();
            if (journal.size() > 0 && idleMillis >= TimeUnit.SECONDS.toMillis(QUIET_SECONDS)) {
                compact("writes are quiet");
            }
        } catch (NoSuchFileException e) {
            // no journal: nothing to fold
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "could not fold the journal into " + file + "; will try again", e);
        }
    }

    /** Asks the compactor thread to fold the journal; writers do not wait for it. */
    private void requestCompaction() {
        if (compactionRequested.compareAndSet(false, true)) {
            try {
                compactor.execute(() -> {
                    compactionRequested.set(false);
                    compact("the journal outgrew the data file");
                });
            } catch (RejectedExecutionException e) {
                compactionRequested.set(false); // shutting down: close() folds the journal
            }
        }
    }

    /**
     * Folds the journal into the data file without holding writers up for long: the records are
     * copied and the journal's length noted under the locks; the new data file is written and
     * forced without them; under the locks again it replaces the old one and the journal keeps only
     * the entries appended meanwhile. A crash at any point leaves a data file and a journal whose
     * replay gives every acknowledged write (replaying entries the data file holds changes nothing).
     */
    private void compact(String why) {
        Path temp = null;
        try {
            List<StatusRecord> snapshot;
            long foldedLength;
            FileState dataFileBefore;
            guard.lock();
            try (ProcessLock.Held lock = processLock.acquire()) {
                catchUp(lock);
                if (journalLength == 0) {
                    return;
                }
                snapshot = List.copyOf(records.values());
                foldedLength = journalLength;
                dataFileBefore = known.dataFile();
            } finally {
                guard.unlock();
            }
            temp = AtomicFiles.writeTemp(file, out -> StoreFormat.write(snapshot, out));
            long length = Files.size(temp);
            guard.lock();
            try (ProcessLock.Held lock = processLock.acquire()) {
                catchUp(lock);
                if (!known.dataFile().equals(dataFileBefore) || journalLength < foldedLength) {
                    return; // another process folded the journal meanwhile
                }
                byte[] newer = Journal.readBytes(journalFile, foldedLength, journalLength);
                AtomicFiles.commit(temp, file);
                temp = null;
                AtomicFiles.replace(journalFile, newer);
                lock.publishNewVersion();
                LOG.fine(() -> "folded " + foldedLength + " journal bytes into " + file + " (" + why + ")");
                journalLength = newer.length;
                dataFileLength = length;
                known = stamp();
            } finally {
                guard.unlock();
            }
        } catch (IOException e) {
            LOG.log(Level.WARNING, "could not fold the journal into " + file + ": " + e.getMessage());
        } catch (StoreUnavailableException e) {
            // already logged when found; nothing is folded into files that cannot be read
        } finally {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException e) {
                    LOG.log(Level.WARNING, "could not remove " + temp, e);
                }
            }
        }
    }

    /** Keeps the v1 original as {@code <file>.v1.bak}, or the first free {@code .v1.bak.N}. */
    private Path backUpV1File() throws IOException {
        for (int n = 0; ; n++) {
            Path backup = sibling(".v1.bak" + (n == 0 ? "" : "." + n));
            try {
                AtomicFiles.copyNew(file, backup);
                return backup;
            } catch (FileAlreadyExistsException e) {
                // never overwrite an earlier backup
            }
        }
    }

    /** Removes temporary files left by a crash; only a process holding the lock writes them. */
    private void removeLeftoverTempFiles() throws IOException {
        String prefix = file.getFileName() + ".";
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(file.getParent(),
                entry -> entry.getFileName().toString().startsWith(prefix)
                        && entry.getFileName().toString().endsWith(AtomicFiles.TEMP_SUFFIX))) {
            for (Path leftover : entries) {
                Files.deleteIfExists(leftover);
                LOG.info("removed temporary file left behind by an interrupted write: " + leftover);
            }
        }
    }

    private Path sibling(String suffix) {
        return file.resolveSibling(file.getFileName() + suffix);
    }

    private Stamp stamp() throws IOException {
        return new Stamp(processLock.version(), FileState.of(file), FileState.of(journalFile));
    }

    private Stamp stampOrNull() {
        try {
            return stamp();
        } catch (IOException e) {
            return null;
        }
    }

    /** The part of the stamp that readers check; {@code null} when the files cannot be read. */
    private Stamp readerStamp() {
        try {
            return new Stamp(processLock.version(), FileState.of(file), null);
        } catch (IOException e) {
            return null;
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new StoreUnavailableException("the store is closed; the application is shutting down");
        }
    }

    private static String describe(Exception e) {
        String message = e.getMessage();
        String kind = e.getClass().getSimpleName();
        return message == null ? kind : kind + ": " + message;
    }

    /**
     * List order on store keys: by server group, then host. Neither contains {@code /}, so
     * comparing keys with {@code /} below every other character orders them as the pairs.
     */
    static final java.util.Comparator<String> KEY_ORDER = (a, b) -> {
        int n = Math.min(a.length(), b.length());
        for (int i = 0; i < n; i++) {
            char ca = a.charAt(i);
            char cb = b.charAt(i);
            if (ca != cb) {
                return (ca == '/' ? -1 : ca) - (cb == '/' ? -1 : cb);
            }
        }
        return a.length() - b.length();
    };

    /** One file's identity, modification time and size; {@code fileKey} null when missing. */
    private record FileState(Object fileKey, FileTime modified, long size) {
        static FileState of(Path path) throws IOException {
            try {
                BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class);
                return new FileState(a.fileKey() == null ? path : a.fileKey(), a.lastModifiedTime(), a.size());
            } catch (NoSuchFileException e) {
                return new FileState(null, null, 0);
            }
        }
    }

    /** What a process knows of the files: equal stamps mean nobody wrote in between. */
    private record Stamp(String lockVersion, FileState dataFile, FileState journal) {
        /** Whether only the journal grew since {@code earlier}: the data file is the same one. */
        boolean continues(Stamp earlier) {
            return dataFile.equals(earlier.dataFile)
                    && (journal.fileKey() == null || journal.fileKey().equals(earlier.journal.fileKey()));
        }

        long journalSize() {
            return journal.size();
        }

        /** Whether {@code now} (a {@link #readerStamp()}) shows no write since this stamp. */
        boolean seenByReaders(Stamp now) {
            return now != null && java.util.Objects.equals(lockVersion, now.lockVersion) && dataFile.equals(now.dataFile);
        }
    }

    private record Sorted(long generation, List<StatusRecord> records) {
    }

    /** One caller's write, waiting in the queue until a committing thread stores it. */
    private static final class PendingWrite {
        private final Update update;
        private Written written;
        private RuntimeException failure;
        private volatile boolean done;

        PendingWrite(Update update) {
            this.update = update;
        }

        /**
         * Applies the write over the batch's earlier writes ({@code null} in {@code staged}: deleted);
         * false when the update refused it.
         */
        boolean stage(Map<String, StatusRecord> staged, Map<String, StatusRecord> stored, String now) {
            String key = update.key();
            StatusRecord current = staged.containsKey(key) ? staged.get(key) : stored.get(key);
            try {
                StatusRecord next = update.applyTo(current, now);
                if (next == current) { // nothing to store
                    written = new Written(current, false);
                    return true;
                }
                staged.put(key, next);
                written = new Written(next, current == null && next != null);
                return true;
            } catch (RuntimeException e) {
                fail(e);
                return false;
            }
        }

        void acknowledge() {
            done = true;
        }

        void fail(RuntimeException e) {
            if (!done) {
                written = null;
                failure = e;
                done = true;
            }
        }

        boolean isDone() {
            return done;
        }

        Written outcome() {
            if (failure != null) {
                throw failure;
            }
            return written;
        }
    }
}
