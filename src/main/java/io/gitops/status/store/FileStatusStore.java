package io.gitops.status.store;

import io.gitops.status.api.StatusRecord;
import io.gitops.status.error.ApiException;
import io.gitops.status.update.Timestamps;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The status store on one JSON data file (see {@link StoreFormat}), shared safely by every thread
 * of this JVM and by other processes running this application on the same file.
 *
 * <p>Guarantees:
 * <ul>
 * <li>A write is acknowledged only once the whole data file holding it has been written to a
 * temporary file, forced, renamed over the old file and the folder forced ({@link AtomicFiles}).
 * The data file is therefore always complete and holds every acknowledged write.</li>
 * <li>Writes are serialised by a JVM-wide guard for the file, then by {@link ProcessLock} between
 * processes. Under both, the writer first catches up with what other processes wrote, so no
 * acknowledged update is lost. Writes queued while another is on disk are committed together with
 * one file replacement (group commit).</li>
 * <li>Reads answer from memory after a cheap check (lock-file version and data-file attributes)
 * that no process wrote since the data was loaded; otherwise they reload first.</li>
 * <li>A data file that cannot be read is never written over: the store reports it as unavailable
 * until the file changes, then tries again.</li>
 * </ul>
 */
public final class FileStatusStore implements StatusStore {

    private static final Logger LOG = Logger.getLogger(FileStatusStore.class.getName());

    /** One guard per data file for the whole JVM: a JVM may hold only one lock on a file. */
    private static final Map<Path, ReentrantLock> GUARDS = new ConcurrentHashMap<>();

    private final Path file;
    private final Path lockFile;
    private final ReentrantLock guard;
    private final Queue<PendingWrite> queue = new ConcurrentLinkedQueue<>();
    private volatile State state;
    private volatile boolean closed;

    public FileStatusStore(Path file) {
        this.file = file.toAbsolutePath().normalize();
        this.lockFile = this.file.resolveSibling(this.file.getFileName() + ".lock");
        this.guard = GUARDS.computeIfAbsent(this.file, f -> new ReentrantLock());
        this.state = new Failed("not loaded yet", null);
        guard.lock();
        try {
            Files.createDirectories(this.file.getParent());
            try (ProcessLock lock = ProcessLock.acquire(lockFile)) {
                removeLeftoverTempFiles();
                load(lock);
            }
        } catch (IOException e) {
            state = new Failed("cannot open " + this.file + ": " + describe(e), null);
            LOG.severe("status store unavailable: " + ((Failed) state).reason());
        } catch (StoreUnavailableException e) {
            // already logged by load(); the store answers 503 until the file is fixed
        } finally {
            guard.unlock();
        }
    }

    public Path file() {
        return file;
    }

    @Override
    public List<StatusRecord> all() {
        return current().sorted();
    }

    @Override
    public Optional<StatusRecord> find(String serverGroup, String host) {
        return Optional.ofNullable(current().records().get(StatusRecord.key(serverGroup, host)));
    }

    @Override
    public Written write(Update update) {
        PendingWrite write = new PendingWrite(update);
        queue.add(write);
        guard.lock();
        try {
            if (!write.isDone()) {
                commitQueued();
            }
        } finally {
            guard.unlock();
        }
        return write.outcome();
    }

    @Override
    public Readiness readiness() {
        try {
            Loaded loaded = current();
            Path probe = Files.createTempFile(file.getParent(), file.getFileName() + ".", AtomicFiles.TEMP_SUFFIX);
            Files.deleteIfExists(probe);
            return new Readiness(true, file, loaded.records().size(), null);
        } catch (ApiException e) {
            return new Readiness(false, file, 0, e.getMessage());
        } catch (IOException e) {
            return new Readiness(false, file, 0, "data folder " + file.getParent() + " is not writable: "
                    + describe(e));
        }
    }

    @Override
    public void close() {
        guard.lock();
        try {
            closed = true;
        } finally {
            guard.unlock();
        }
    }

    /** The loaded records, reloaded first if any process wrote since they were read. */
    private Loaded current() {
        State seen = state;
        Stamp now = stampOrNull();
        if (now == null || !now.equals(seen.stamp())) {
            guard.lock();
            try {
                ensureOpen();
                try (ProcessLock lock = ProcessLock.acquire(lockFile)) {
                    return catchUp(lock);
                }
            } catch (IOException e) {
                throw new StoreUnavailableException("cannot read " + file + ": " + describe(e));
            } finally {
                guard.unlock();
            }
        }
        if (seen instanceof Loaded loaded) {
            return loaded;
        }
        throw new StoreUnavailableException(((Failed) seen).reason());
    }

    /** Commits every queued write with one file replacement. Caller holds the guard. */
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
            try (ProcessLock lock = ProcessLock.acquire(lockFile)) {
                Map<String, StatusRecord> records = new HashMap<>(catchUp(lock).records());
                String now = Timestamps.now();
                List<PendingWrite> staged = new ArrayList<>();
                for (PendingWrite write : batch) {
                    if (write.stage(records, now)) {
                        staged.add(write);
                    }
                }
                if (!staged.isEmpty()) {
                    AtomicFiles.replace(file, StoreFormat.write(records.values()));
                    lock.publishNewVersion();
                    state = new Loaded(Map.copyOf(records), stamp());
                }
                staged.forEach(PendingWrite::acknowledge);
            }
        } catch (IOException e) {
            StoreUnavailableException failure = new StoreUnavailableException(
                    "cannot write " + file + ": " + describe(e));
            batch.forEach(w -> w.fail(failure));
            LOG.log(Level.WARNING, failure.getMessage(), e);
        } catch (RuntimeException e) {
            batch.forEach(w -> w.fail(e));
        }
    }

    /** The records on disk, reloaded if any process wrote since. Caller holds both locks. */
    private Loaded catchUp(ProcessLock lock) throws IOException {
        State known = state;
        Stamp now = stamp();
        if (known instanceof Loaded loaded && now.equals(loaded.stamp())) {
            return loaded;
        }
        if (known instanceof Failed failed && now.equals(failed.stamp())) {
            throw new StoreUnavailableException(failed.reason());
        }
        return load(lock);
    }

    /** Reads the data file, migrating v1 data. Caller holds both locks. */
    private Loaded load(ProcessLock lock) throws IOException {
        Stamp stamp = stamp();
        if (!stamp.exists()) {
            Loaded empty = new Loaded(Map.of(), stamp);
            state = empty;
            return empty;
        }
        StoreFormat.Contents contents;
        try {
            contents = StoreFormat.read(Files.readAllBytes(file), Timestamps.now());
        } catch (StoreFormat.DamagedFileException e) {
            String reason = "data file " + file + " is damaged and is left untouched until it is fixed: "
                    + e.getMessage();
            LOG.severe(reason);
            state = new Failed(reason, stamp);
            throw new StoreUnavailableException(reason);
        }
        if (contents.fromV1()) {
            Path backup = backUpV1File();
            AtomicFiles.replace(file, StoreFormat.write(contents.records().values()));
            lock.publishNewVersion();
            LOG.info("migrated v1 data file " + file + " (" + contents.records().size()
                    + " records); the original is kept as " + backup);
            stamp = stamp();
        }
        Loaded loaded = new Loaded(Map.copyOf(contents.records()), stamp);
        state = loaded;
        return loaded;
    }

    /** Keeps the v1 original as {@code <file>.v1.bak}, or the first free {@code .v1.bak.N}. */
    private Path backUpV1File() throws IOException {
        for (int n = 0; ; n++) {
            Path backup = file.resolveSibling(file.getFileName() + ".v1.bak" + (n == 0 ? "" : "." + n));
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

    private Stamp stamp() throws IOException {
        String version = ProcessLock.readVersion(lockFile);
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            return new Stamp(version, true, attributes.fileKey(), attributes.lastModifiedTime(), attributes.size());
        } catch (NoSuchFileException e) {
            return new Stamp(version, false, null, null, -1);
        }
    }

    private Stamp stampOrNull() {
        try {
            return stamp();
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

    /** What a process knows of the files: equal stamps mean nobody wrote in between. */
    private record Stamp(String lockVersion, boolean exists, Object fileKey, FileTime modified, long size) {
    }

    private sealed interface State permits Loaded, Failed {
        Stamp stamp();
    }

    private record Loaded(Map<String, StatusRecord> records, Stamp stamp, List<StatusRecord> sorted)
            implements State {
        Loaded(Map<String, StatusRecord> records, Stamp stamp) {
            this(records, stamp, records.values().stream().sorted(StatusRecord.ORDER).toList());
        }
    }

    private record Failed(String reason, Stamp stamp) implements State {
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

        /** Applies the write to the batch's records; false when the update refused it. */
        boolean stage(Map<String, StatusRecord> records, String now) {
            StatusRecord current = records.get(update.key());
            try {
                StatusRecord next = update.applyTo(current, now);
                records.put(next.key(), next);
                written = new Written(next, current == null);
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
