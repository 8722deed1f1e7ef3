package io.gitops.status.store;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.logging.Logger;

/**
 * Durable whole-file replacement: a temporary file in the target's folder is written and forced,
 * moved over the target atomically, and the folder is forced so the rename itself survives a
 * crash. Readers see the old file or the new one, never a torn one.
 *
 * <p>Temporary files are named {@code <target name>.<random>.tmp} and stay locked ({@code
 * FileChannel.lock}, and a JVM-wide set for this JVM) until they are moved or removed, so that
 * {@link #removeLeftovers} removes only those whose writer is gone (a crash), never one that
 * another process is still writing.
 */
final class AtomicFiles {

    static final String TEMP_SUFFIX = ".tmp";
    private static final Logger LOG = Logger.getLogger(AtomicFiles.class.getName());
    /** Temporary files this JVM is writing: closing another descriptor of them would drop their lock. */
    private static final Set<Path> IN_USE = ConcurrentHashMap.newKeySet();

    private AtomicFiles() {
    }

    /** What writes a file's content. */
    interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    static void replace(Path target, Content content) throws IOException {
        try (Temp temp = writeTemp(target, content)) {
            temp.commit();
        }
    }

    /**
     * Writes and forces a temporary file beside {@code target}, streaming the content (a large
     * data file is never held in memory whole). The caller commits or closes it; closing an
     * uncommitted one removes it.
     */
    static Temp writeTemp(Path target, Content content) throws IOException {
        Path path = target.resolveSibling(target.getFileName() + "."
                + Long.toHexString(ThreadLocalRandom.current().nextLong()) + TEMP_SUFFIX);
        IN_USE.add(path);
        FileChannel channel = null;
        try {
            channel = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            FileLock lock = channel.lock();
            Temp temp = new Temp(path, target, channel, lock);
            OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel), 64 * 1024);
            content.writeTo(out);
            out.flush();
            channel.force(true);
            return temp;
        } catch (IOException | RuntimeException | Error e) {
            if (channel != null) {
                Files.deleteIfExists(path);
                channel.close();
            }
            IN_USE.remove(path);
            throw e;
        }
    }

    /** A forced temporary file, locked until committed or closed. */
    static final class Temp implements AutoCloseable {
        private final Path path;
        private final Path target;
        private final FileChannel channel;
        private final FileLock lock;
        private boolean committed;

        private Temp(Path path, Path target, FileChannel channel, FileLock lock) {
            this.path = path;
            this.target = target;
            this.channel = channel;
            this.lock = lock;
        }

        long size() throws IOException {
            return channel.size();
        }

        /** Moves it over the target atomically and forces the folder. */
        void commit() throws IOException {
            Files.move(path, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            committed = true;
            forceDirectory(target.getParent());
        }

        /** Removes it unless committed, then releases it. */
        @Override
        public void close() throws IOException {
            try {
                if (!committed) {
                    Files.deleteIfExists(path);
                }
            } finally {
                try {
                    lock.release();
                } finally {
                    channel.close();
                    IN_USE.remove(path);
                }
            }
        }
    }

    /**
     * Removes the temporary files of {@code target} that nobody is writing: those a crash left
     * behind. One that another process holds locked is left alone.
     */
    static void removeLeftovers(Path target) throws IOException {
        String prefix = target.getFileName() + ".";
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(target.getParent(),
                entry -> entry.getFileName().toString().startsWith(prefix)
                        && entry.getFileName().toString().endsWith(TEMP_SUFFIX))) {
            for (Path leftover : entries) {
                if (!IN_USE.contains(leftover) && removeIfUnlocked(leftover)) {
                    LOG.info("removed temporary file left behind by an interrupted write: " + leftover);
                }
            }
        }
    }

    private static boolean removeIfUnlocked(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            FileLock lock = channel.tryLock();
            if (lock == null) {
                return false; // another process is writing it
            }
            try {
                Files.deleteIfExists(file);
                return true;
            } finally {
                lock.release();
            }
        } catch (OverlappingFileLockException | NoSuchFileException e) {
            return false;
        }
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
