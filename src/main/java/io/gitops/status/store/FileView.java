package io.gitops.status.store;

import io.gitops.status.api.StatusRecord;
import io.gitops.status.api.Timestamps;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.logging.Logger;

/**
 * This process's copy of the records on the shared files, and how it catches up with what other
 * processes wrote: nothing when nobody wrote, the journal's new lines when only those were added,
 * else a full load (data file, then the journal lines it has not folded).
 *
 * <p>Guarantees: after {@link #catchUp} the records equal what the files hold; after {@link
 * #append} they equal it again, or the append failed and was undone in the journal and in memory
 * alike. A data file or journal that cannot be read leaves the store failed ({@link #failure})
 * until the files change.
 *
 * <p>Threads: {@link #records()} and {@link #isCurrentForReaders()} may be called without locks;
 * every other method needs the store's JVM guard and the process lock.
 */
final class FileView {

    private static final Logger LOG = Logger.getLogger(FileView.class.getName());

    private final Path file;
    private final Path journalFile;
    private final ProcessLock processLock;
    private final FaultPoint faults;

    /** The records, kept in list order; replaced whole on a full load. */
    private volatile ConcurrentSkipListMap<String, StatusRecord> records = new ConcurrentSkipListMap<>(KeyOrder.KEYS);
    /** The files as they were when {@link #records} last matched them; {@code null}: load again. */
    private volatile FileStamp known;
    /** Why the store cannot serve, while the files are as {@link #known} says; else {@code null}. */
    private volatile String failure = "not loaded yet";
    /** Changes whenever the records change, for caches of what is derived from them. */
    private volatile long generation;
    private String journalId;
    /** Where the journal's lines start: after its header, if it has one. */
    private long journalStart;
    private long journalLength;
    private long dataFileLength;
    /** The length a failed append must be cut back to, or -1. */
    private long pendingCutBack = -1;

    FileView(Path file, Path journalFile, ProcessLock processLock, FaultPoint faults) {
        this.file = file;
        this.journalFile = journalFile;
        this.processLock = processLock;
        this.faults = faults;
    }

    Map<String, StatusRecord> records() {
        return records;
    }

    long generation() {
        return generation;
    }

    String failure() {
        return failure;
    }

    String journalId() {
        return journalId;
    }

    long journalLength() {
        return journalLength;
    }

    /** Whether the journal holds lines that the data file has not folded. */
    boolean hasUnfoldedLines() {
        return journalLength > journalStart;
    }

    long dataFileLength() {
        return dataFileLength;
    }

    /**
     * Whether no process wrote since the records were read, from the lock file's version and the
     * data file's attributes only (every write publishes a new version), so that a reader does not
     * wait behind this process's appends. While failed, any change of any file is worth a retry.
     */
    boolean isCurrentForReaders() {
        FileStamp seen = known;
        if (seen == null) {
            return false;
        }
        try {
            return failure == null
                    ? Objects.equals(seen.lockVersion(), processLock.version()) && seen.dataFile().equals(FileStamp.FileState.of(file))
                    : seen.equals(stamp());
        } catch (IOException e) {
            return false;
        }
    }

    /** Brings the records up to date with the files; throws when they cannot be read. */
    void catchUp(ProcessLock.Held lock) throws IOException {
        FileStamp now = stamp();
        if (now.equals(known)) {
            if (failure != null) {
                throw new StoreUnavailableException(failure);
            }
            return;
        }
        retryCutBack();
        try {
            if (failure == null && known != null && now.continues(known) && now.journal().size() >= journalLength) {
                catchUpWithJournal();
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

    /**
     * Applies the lines other processes appended since. Should the replay fail half-way, the next
     * catch-up loads the files whole rather than apply the same lines again (a transition twice).
     */
    private void catchUpWithJournal() throws IOException, StoreFormat.DamagedFileException {
        try {
            if (journalLength == 0) { // another process started this journal: learn its name
                Journal.Header header = Journal.readHeader(journalFile);
                journalId = header.id();
                journalStart = header.length();
            }
            journalLength = Journal.replay(journalFile, journalLength, entry -> entry.applyTo(records)).validLength();
        } catch (IOException | StoreFormat.DamagedFileException | RuntimeException | Error e) {
            known = null;
            generation++;
            throw e;
        }
    }

    /** Reads the data file (migrating v1 data) and replays the journal lines it has not folded. */
    private void load(ProcessLock.Held lock) throws IOException, StoreFormat.DamagedFileException {
        long started = System.nanoTime();
        ConcurrentSkipListMap<String, StatusRecord> loaded = new ConcurrentSkipListMap<>(KeyOrder.KEYS);
        StoreFormat.Contents contents = StoreFormat.read(file, record -> loaded.put(record.key(), record));
        if (contents.isV1()) {
            loaded.putAll(V1Migration.readAndMigrate(file, Timestamps.now()));
            lock.publishNewVersion();
        }
        Journal.Header header = Journal.readHeader(journalFile);
        long from = header.length();
        StoreFormat.Folded folded = contents.folded();
        if (folded != null && header.id() != null && header.id().equals(folded.journalId())) {
            from = Math.max(from, Math.min(folded.bytes(), Files.exists(journalFile) ? Files.size(journalFile) : 0));
        }
        Journal.Replayed replayed = Journal.replay(journalFile, from, entry -> entry.applyTo(loaded));
        records = loaded;
        journalId = header.id();
        journalStart = header.length();
        journalLength = replayed.validLength();
        dataFileLength = Files.exists(file) ? Files.size(file) : 0;
        LOG.info(() -> "loaded " + loaded.size() + " records from " + file + " in "
                + (System.nanoTime() - started) / 1_000_000 + " ms");
    }

    /**
     * Appends the changes to the journal (naming a new journal first), publishes a new version
     * (other processes read it only under the lock this writer holds), then applies them in
     * memory, the last step: once readers can see a write, nothing can take it back. If any step
     * fails, with an exception or an {@link Error}, the journal is cut back and memory restored
     * before it rethrows: a failed write never takes effect, now or after a restart.
     */
    void append(ProcessLock.Held lock, List<JournalEntry> entries) throws IOException {
        byte[] lines = JournalEntry.encode(entries);
        long before = journalLength;
        String idBefore = journalId;
        List<Map.Entry<String, StatusRecord>> replaced = new ArrayList<>(entries.size());
        try {
            if (before == 0) {
                journalId = Journal.newId();
                byte[] header = JournalEntry.header(journalId);
                journalStart = header.length;
                byte[] all = new byte[header.length + lines.length];
                System.arraycopy(header, 0, all, 0, header.length);
                System.arraycopy(lines, 0, all, header.length, lines.length);
                lines = all;
            }
            faults.reached(FaultPoint.Step.APPEND);
            Journal.append(journalFile, before, lines);
            journalLength = before + lines.length;
            faults.reached(FaultPoint.Step.PUBLISH);
            lock.publishNewVersion();
            faults.reached(FaultPoint.Step.APPLY);
            for (JournalEntry entry : entries) {
                replaced.add(new AbstractMap.SimpleEntry<>(entry.key(), records.get(entry.key())));
                entry.applyTo(records);
            }
            generation++;
        } catch (IOException | RuntimeException | Error e) {
            undo(before, idBefore, replaced);
            throw e;
        }
        try {
            known = stamp();
        } catch (IOException | RuntimeException e) {
            known = null; // the write stands; the next access reads the files again
        }
    }

    private void undo(long journalBefore, String idBefore, List<Map.Entry<String, StatusRecord>> replaced) {
        journalLength = journalBefore;
        journalId = idBefore;
        journalStart = journalBefore == 0 ? 0 : journalStart;
        pendingCutBack = journalBefore;
        retryCutBack();
        try {
            for (int i = replaced.size() - 1; i >= 0; i--) {
                Map.Entry<String, StatusRecord> entry = replaced.get(i);
                if (entry.getValue() == null) {
                    records.remove(entry.getKey());
                } else {
                    records.put(entry.getKey(), entry.getValue());
                }
            }
            generation++;
        } catch (RuntimeException | Error e) {
            known = null; // memory no longer matches the files: the next access loads them again
        }
    }

    /**
     * Cuts a failed append off the journal. Until that succeeds the store stays failed and loads
     * nothing: a load would replay the lines of a write that was answered with an error.
     */
    private void retryCutBack() {
        if (pendingCutBack < 0) {
            return;
        }
        try {
            Journal.cutBack(journalFile, pendingCutBack);
            pendingCutBack = -1;
        } catch (IOException | RuntimeException | Error e) {
            String why = "a failed write could not be cut back from " + journalFile + " yet: " + e;
            LOG.severe(why);
            throw new StoreUnavailableException(why);
        }
    }

    /** After a compaction replaced the data file and the journal. */
    void folded(String newJournalId, long newJournalStart, long newJournalLength, long newDataFileLength)
            throws IOException {
        journalId = newJournalId;
        journalStart = newJournalStart;
        journalLength = newJournalLength;
        dataFileLength = newDataFileLength;
        known = stamp();
    }

    /** The files as they are now. */
    FileStamp stamp() throws IOException {
        return new FileStamp(processLock.version(), FileStamp.FileState.of(file), FileStamp.FileState.of(journalFile));
    }
}
