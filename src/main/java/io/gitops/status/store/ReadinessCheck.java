package io.gitops.status.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Whether the data folder can take writes, judged without writing (a probe per call would cost a
 * disk write per {@code /ready}): the folder and the store's files are writable and the disk has
 * room for a few batches. The answer is kept about a second; a write's own success or failure
 * replaces it at once. The store's whole readiness answer is kept the same way ({@link #answer}).
 */
final class ReadinessCheck {

    /** Less room than this and a batch may not fit: report not ready before writes fail. */
    static final long MIN_FREE_BYTES = 64 * 1024;
    private static final long KEEP_NANOS = 1_000_000_000L;

    private final Path folder;
    private final List<Path> files;
    private volatile Answer answer;
    private volatile Kept kept;
    /** Why the last write failed, until one succeeds: the folder check cannot see every cause. */
    private volatile String writeFailure;

    private record Answer(String problem, long at) {
    }

    ReadinessCheck(Path folder, List<Path> files) {
        this.folder = folder;
        this.files = files;
    }

    /** Why the folder cannot take writes now, or {@code null} when it can. */
    String problem() {
        Answer last = answer;
        long now = System.nanoTime();
        if (last == null || now - last.at() > KEEP_NANOS) {
            String problem = check();
            last = new Answer(problem != null ? problem : writeFailure, now);
            answer = last;
        }
        return last.problem();
    }

    /**
     * The store's readiness: {@code full}'s answer, kept a second while the records' generation,
     * the store's failure and this check's own answer stay the same, so that a probe every few
     * milliseconds costs no file system call.
     */
    StatusStore.Readiness answer(long generation, String failure, Supplier<StatusStore.Readiness> full) {
        Kept last = kept;
        long now = System.nanoTime();
        if (last != null && now - last.at() < KEEP_NANOS && last.generation() == generation
                && Objects.equals(last.failure(), failure) && last.folder() == answer) {
            return last.readiness();
        }
        Answer folder = answer; // taken first: a change while full runs shows in the next call
        StatusStore.Readiness readiness = full.get();
        kept = new Kept(readiness, generation, failure, folder, now);
        return readiness;
    }

    private record Kept(StatusStore.Readiness readiness, long generation, String failure, Answer folder, long at) {
    }

    /** A write just succeeded: the folder takes writes. */
    void writeSucceeded() {
        writeFailure = null;
        if (answer == null || answer.problem() != null) {
            answer = new Answer(null, System.nanoTime());
        }
    }

    /** A write just failed: report why (the folder's problem, if the check finds one) until the next check. */
    void writeFailed(String why) {
        writeFailure = why;
        String problem = check();
        answer = new Answer(problem != null ? problem : why, System.nanoTime());
    }

    private String check() {
        try {
            if (!Files.isWritable(folder)) {
                return "data folder " + folder + " is not writable";
            }
            for (Path file : files) {
                if (Files.exists(file) && !Files.isWritable(file)) {
                    return file + " is not writable";
                }
            }
            long free = Files.getFileStore(folder).getUsableSpace();
            if (free < MIN_FREE_BYTES) {
                return "data folder " + folder + " is full (" + free + " bytes free)";
            }
            return null;
        } catch (IOException | SecurityException e) {
            return "data folder " + folder + " cannot be checked: " + e;
        }
    }
}
