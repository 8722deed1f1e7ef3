package io.gitops.status.store;

import io.gitops.status.api.StatusRecord;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Folds the journal into the data file without holding writers up for long: the records are
 * copied (references only) and the journal's length noted under the locks; the new data file is
 * streamed to a temporary file and forced without them; under the locks again it is renamed into
 * place, then the journal is replaced by a new one holding only the lines appended meanwhile.
 *
 * <p>Guarantee: a crash or failure at any step leaves files whose load gives every acknowledged
 * write exactly once. The new data file names the journal and the length it folded ({@link
 * StoreFormat.Folded}), so between the rename and the journal's replacement a load skips the
 * folded lines instead of applying them again (which would duplicate transitions).
 */
final class Compaction {

    static final int QUIET_SECONDS = 2;
    private static final Logger LOG = Logger.getLogger(Compaction.class.getName());

    private final Path file;
    private final Path journalFile;
    private final ReentrantLock guard;
    private final ProcessLock processLock;
    private final FileView view;
    private final FaultPoint faults;
    private final ScheduledExecutorService compactor = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "gitops-status-compactor");
        thread.setDaemon(true);
        return thread;
    });
    private final AtomicBoolean requested = new AtomicBoolean();

    Compaction(Path file, Path journalFile, ReentrantLock guard, ProcessLock processLock, FileView view,
            FaultPoint faults) {
        this.file = file;
        this.journalFile = journalFile;
        this.guard = guard;
        this.processLock = processLock;
        this.view = view;
        this.faults = faults;
    }

    /** Folds the journal each time writes have been quiet for {@value #QUIET_SECONDS} seconds. */
    void start() {
        compactor.scheduleWithFixedDelay(this::runIfQuiet, 1, 1, TimeUnit.SECONDS);
    }

    /** Asks the compactor thread to fold the journal; writers do not wait for it. */
    void request() {
        if (requested.compareAndSet(false, true)) {
            try {
                compactor.execute(() -> {
                    requested.set(false);
                    runLogged("the journal outgrew the data file");
                });
            } catch (RejectedExecutionException e) {
                requested.set(false); // shutting down: the store folds the journal as it closes
            }
        }
    }

    /** Stops the compactor thread, after the compaction under way. */
    void stop() {
        // No interrupt: an interrupted thread's FileChannel is closed, which would drop the lock.
        compactor.shutdown();
        try {
            compactor.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void runIfQuiet() {
        try {
            BasicFileAttributes journal = Files.readAttributes(journalFile, BasicFileAttributes.class);
            long idleMillis = System.currentTimeMillis() - journal.lastModifiedTime().toMillis();
            if (idleMillis >= TimeUnit.SECONDS.toMillis(QUIET_SECONDS) && view.hasUnfoldedLines()) {
                runLogged("writes are quiet");
            }
        } catch (NoSuchFileException e) {
            // no journal: nothing to fold
        } catch (IOException | RuntimeException | Error e) {
            // whatever happened, the schedule goes on: the next run tries again
            LOG.log(Level.WARNING, "could not fold the journal into " + file + "; will try again", e);
        }
    }

    /** Folds the journal; a failure is logged, never thrown: the next run tries again. */
    void runLogged(String why) {
        try {
            run(why);
        } catch (IOException e) {
            LOG.log(Level.WARNING, "could not fold the journal into " + file + ": " + e.getMessage());
        } catch (StoreUnavailableException e) {
            // already logged when found; nothing is folded into files that cannot be read
        } catch (RuntimeException | Error e) {
            LOG.log(Level.WARNING, "could not fold the journal into " + file + "; will try again", e);
        }
    }

    /** What the first step saw: the records to write and the part of which journal they hold. */
    private record Snapshot(List<StatusRecord> records, StoreFormat.Folded folded, FileStamp.FileState dataFile) {
    }

    /** Folds the journal; returns false when there was nothing to fold or another process folded it meanwhile. */
    boolean run(String why) throws IOException {
        Snapshot snapshot = snapshot();
        if (snapshot == null) {
            return false;
        }
        faults.reached(FaultPoint.Step.COMPACT_WRITE);
        try (AtomicFiles.Temp temp = AtomicFiles.writeTemp(file,
                out -> StoreFormat.write(snapshot.records(), snapshot.folded(), out))) {
            long length = temp.size();
            guard.lock();
            try (ProcessLock.Held lock = processLock.acquire()) {
                view.catchUp(lock);
                if (!view.stamp().dataFile().equals(snapshot.dataFile())
                        || !snapshot.folded().journalId().equals(view.journalId())
                        || view.journalLength() < snapshot.folded().bytes()) {
                    return false; // another process folded the journal meanwhile
                }
                byte[] newer = Journal.readBytes(journalFile, snapshot.folded().bytes(), view.journalLength());
                faults.reached(FaultPoint.Step.COMPACT_RENAME);
                temp.commit();
                faults.reached(FaultPoint.Step.COMPACT_CUT_JOURNAL);
                Journal.Header header = Journal.replace(journalFile, Journal.newId(), newer);
                faults.reached(FaultPoint.Step.COMPACT_PUBLISH);
                lock.publishNewVersion();
                view.folded(header.id(), header.length(), header.length() + newer.length, length);
                LOG.fine(() -> "folded " + snapshot.folded().bytes() + " journal bytes into " + file + " (" + why + ")");
                return true;
            } finally {
                guard.unlock();
            }
        }
    }

    private Snapshot snapshot() throws IOException {
        guard.lock();
        try (ProcessLock.Held lock = processLock.acquire()) {
            view.catchUp(lock);
            if (view.journalId() == null && view.journalLength() > 0) {
                nameOldJournal(lock);
            }
            if (!view.hasUnfoldedLines()) {
                return null;
            }
            return new Snapshot(List.copyOf(view.records().values()),
                    new StoreFormat.Folded(view.journalId(), view.journalLength()), view.stamp().dataFile());
        } finally {
            guard.unlock();
        }
    }

    /** Gives a journal written before journals had names one, keeping its lines: only then can it be folded safely. */
    private void nameOldJournal(ProcessLock.Held lock) throws IOException {
        byte[] lines = Journal.readBytes(journalFile, 0, view.journalLength());
        Journal.Header header = Journal.replace(journalFile, Journal.newId(), lines);
        lock.publishNewVersion();
        view.folded(header.id(), header.length(), header.length() + lines.length, view.dataFileLength());
    }
}
