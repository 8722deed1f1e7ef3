package io.gitops.status.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * A {@link SharedDocument} as a file beside the data file, replaced atomically ({@link AtomicFiles}),
 * so readers see the old or the new version. The lease is a {@code FileChannel} lock on a sidecar
 * {@code .lock} file (never on the file that gets replaced), guarded JVM-wide first, in the system
 * properties, which every class loader of the JVM shares: two web applications in one JVM (a
 * parallel deployment, two contexts on one data file) would otherwise meet an {@link
 * OverlappingFileLockException}, and the loser closing its descriptor of the lock file would drop
 * the holder's lock to every other process.
 * The lock goes with the process, so after a crash another process takes over; a lease whose lock
 * file was removed or replaced from outside is no longer held (as in {@link ProcessLock}). Like the
 * data file, this relies on working {@code fcntl} locks: not on NFS without them.
 */
final class FileDocument implements SharedDocument {

    private static final String GUARD_PREFIX = "io.gitops.status.lease:";

    private final Path file;
    private final Path lockFile;
    /** This JVM's guard of the lock file: a system property whose value names the holder. */
    private final String guard;

    FileDocument(Path file) {
        this.file = file;
        this.lockFile = file.resolveSibling(file.getFileName() + ".lock");
        this.guard = GUARD_PREFIX + lockFile.toAbsolutePath().normalize();
    }

    @Override
    public Optional<byte[]> read() {
        try {
            return Optional.of(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new StoreUnavailableException("cannot read " + file + ": " + e.getMessage());
        }
    }

    @Override
    public Optional<Lease> tryLease() {
        String holder = UUID.randomUUID().toString();
        if (System.getProperties().putIfAbsent(guard, holder) != null) {
            return Optional.empty(); // another application in this JVM holds it
        }
        FileChannel channel = null;
        try {
            Files.createDirectories(lockFile.getParent());
            channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            Object opened = fileKey(lockFile);
            FileLock lock = channel.tryLock();
            if (lock == null || opened == null || !opened.equals(fileKey(lockFile))) {
                // busy, or removed or replaced while we locked it: a lock no other process would see
                channel.close();
                System.getProperties().remove(guard, holder);
                return Optional.empty();
            }
            return Optional.of(new FileLease(channel, lock, opened, holder));
        } catch (IOException | RuntimeException e) {
            closeQuietly(channel);
            System.getProperties().remove(guard, holder);
            throw new StoreUnavailableException("cannot lock " + lockFile + ": " + e.getMessage());
        }
    }

    /** The file's identity (device and inode), or its path where the platform has none; null when missing. */
    private static Object fileKey(Path path) throws IOException {
        try {
            return Objects.requireNonNullElse(Files.readAttributes(path, BasicFileAttributes.class).fileKey(), path);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            if (channel != null) {
                channel.close();
            }
        } catch (IOException e) {
            // closing releases the lock; nothing else to do
        }
    }

    private final class FileLease implements Lease {
        private final FileChannel channel;
        private final FileLock lock;
        private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

        private final Object fileKey;
        private final String holder;

        FileLease(FileChannel channel, FileLock lock, Object fileKey, String holder) {
            this.channel = channel;
            this.lock = lock;
            this.fileKey = fileKey;
            this.holder = holder;
        }

        @Override
        public void write(byte[] document) {
            if (!held()) {
                throw new StoreUnavailableException("the lease on " + file + " is closed");
            }
            try {
                AtomicFiles.replace(file, out -> out.write(document));
            } catch (IOException e) {
                throw new StoreUnavailableException("cannot write " + file + ": " + e.getMessage());
            }
        }

        /**
         * Whether the lock is still ours and still on the lock file every process opens: once that
         * file is removed or replaced from outside, another process locks the new one, and this
         * lease must give way.
         */
        @Override
        public boolean held() {
            try {
                return lock.isValid() && fileKey.equals(fileKey(lockFile));
            } catch (IOException e) {
                return false;
            }
        }

        /**
         * Releases the lock once: a second close must not free the JVM-wide guard, which by then
         * may be another lease's. Past it, a tryLease in this JVM would open the lock file again
         * and close it on failure, and closing any descriptor of the file drops this process's
         * POSIX lock, the new holder's included, to every other process.
         */
        @Override
        public void close() {
            if (!closed.compareAndSet(false, true)) {
                return;
            }
            try {
                lock.release();
            } catch (IOException e) {
                // closing the channel below releases it too
            } finally {
                closeQuietly(channel);
                System.getProperties().remove(guard, holder);
            }
        }
    }
}
