package io.gitops.status.store;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Durable whole-file replacement: a temporary file in the target's folder is written and forced,
 * moved over the target atomically, and the folder is forced so the rename itself survives a
 * crash. Readers see the old file or the new one, never a torn one.
 *
 * <p>Temporary files are named {@code <target name>.<random>.tmp}; one left by a crash is
 * removed by {@link FileStatusStore} at start-up.
 */
final class AtomicFiles {

    static final String TEMP_SUFFIX = ".tmp";

    private AtomicFiles() {
    }

    static void replace(Path target, byte[] content) throws IOException {
        commit(writeTemp(target, content), target);
    }

    static void replace(Path target, Content content) throws IOException {
        commit(writeTemp(target, content), target);
    }

    /** Writes and forces a temporary file beside {@code target}; removed again on failure. */
    static Path writeTemp(Path target, byte[] content) throws IOException {
        return writeTemp(target, out -> out.write(content));
    }

    /** What writes a file's content. */
    interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    /**
     * Writes and forces a temporary file beside {@code target}, streaming the content (a large
     * data file is never held in memory whole); removed again on failure.
     */
    static Path writeTemp(Path target, Content content) throws IOException {
        Path temp = target.resolveSibling(target.getFileName() + "."
                + Long.toHexString(ThreadLocalRandom.current().nextLong()) + TEMP_SUFFIX);
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel), 64 * 1024);
            content.writeTo(out);
            out.flush();
            channel.force(true);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
        return temp;
    }

    /** Moves a forced temporary file over {@code target} atomically and forces the folder. */
    static void commit(Path temp, Path target) throws IOException {
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
        forceDirectory(target.getParent());
    }

    /** Forces a folder's entries (creations, renames) to disk. */
    static void forceDirectory(Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    /** Copies a file to a new name that must not exist yet, durably. */
    static void copyNew(Path source, Path target) throws IOException {
        Files.copy(source, target, StandardCopyOption.COPY_ATTRIBUTES);
        try (FileChannel channel = FileChannel.open(target, StandardOpenOption.WRITE)) {
            channel.force(true);
        }
        forceDirectory(target.getParent());
    }
}
