package io.gitops.status.store;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HexFormat;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * An exclusive lock between processes on the sidecar file {@code <data file>.lock}, which is
 * never replaced by a rename, so every process locks the same file.
 *
 * <p>The lock file also carries the store's version: a random value that every write changes
 * before it is acknowledged. A process compares it (with the data file's attributes) to what it
 * loaded last, to learn cheaply whether another process has written since.
 *
 * <p>The lock file is opened once and kept open: {@code FileChannel} locks are POSIX record locks,
 * which the operating system drops when the process closes <em>any</em> descriptor of the file, so
 * the version is read through the same channel rather than by opening the file again. If the
 * lock file is removed or replaced from outside, the next acquisition opens the new one.
 *
 * <p>Limits: the locks are advisory and process-wide. Inside one JVM the caller must serialise
 * threads first ({@link FileStatusStore} does, with one guard per file); a lock held by another web
 * application of the same JVM (a Tomcat redeploy overlapping the old one) is waited for. On
 * network filesystems such as NFS, locking depends on the server and is not relied upon.
 */
final class ProcessLock implements Closeable {

    private static final int VERSION_BYTES = 16;
    private static final long WAIT_FOR_OTHER_APPLICATION_NANOS = TimeUnit.SECONDS.toNanos(30);

    private final Path path;
    /** The open lock file and its identity; replaced only under the caller's guard. */
    private volatile Open open;

    ProcessLock(Path path) {
        this.path = path;
    }

    private record Open(FileChannel channel, Object fileKey) {
    }

    /** Takes the lock, waiting for other processes. The caller holds the JVM guard for the file. */
    Held acquire() throws IOException {
        long deadline = System.nanoTime() + WAIT_FOR_OTHER_APPLICATION_NANOS;
        while (true) {
            Open current = openOnCurrentFile();
            FileLock lock;
            try {
                lock = uninterrupted(() -> current.channel().lock());
            } catch (OverlappingFileLockException e) {
                // Another web application in this JVM holds it: wait, it is released soon.
                if (System.nanoTime() > deadline) {
                    throw new IOException("lock " + path + " is held by another application in this JVM");
                }
                pause();
                continue;
            }
            // If the lock file was removed or replaced while we waited, we hold a lock on a file
            // nobody else will lock: start again on the file that is there now.
            if (current.fileKey().equals(fileKey(path))) {
                return new Held(lock);
            }
            lock.release();
        }
    }

    /**
     * The version the lock file holds, or {@code null} when it cannot tell (not open yet, or the
     * file at the path is no longer the one open), which readers take as "something changed".
     */
    String version() {
        Open current = open;
        try {
            if (current == null || !current.fileKey().equals(fileKey(path))) {
                return null;
            }
            ByteBuffer buffer = ByteBuffer.allocate(VERSION_BYTES);
            uninterrupted(() -> {
                while (buffer.hasRemaining() && current.channel().read(buffer, buffer.position()) > 0) {
                    // read the whole version
                }
                return null;
            });
            return new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            return null; // closed under us, or unreadable: let the caller reload under the lock
        }
    }

    /** Closes the lock file. The caller holds the JVM guard and no lock. */
    @Override
    public void close() throws IOException {
        Open current = open;
        open = null;
        if (current != null) {
            current.channel().close();
        }
    }

    private Open openOnCurrentFile() throws IOException {
        Open current = open;
        if (current != null && current.channel().isOpen() && current.fileKey().equals(fileKey(path))) {
            return current;
        }
        if (current != null) {
            current.channel().close();
        }
        FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        Object key = fileKey(path);
        current = new Open(channel, key == null ? new Object() : key);
        open = current;
        return current;
    }

    /** The lock while held; closing releases it (the lock file stays open). */
    final class Held implements AutoCloseable {
        private final FileLock lock;

        private Held(FileLock lock) {
            this.lock = lock;
        }

        /** Records that the stored data changed; call after the change is durable, before acknowledging it. */
        void publishNewVersion() throws IOException {
            byte[] version = HexFormat.of().formatHex(ByteBuffer.allocate(8)
                    .putLong(ThreadLocalRandom.current().nextLong()).array()).getBytes(StandardCharsets.US_ASCII);
            FileChannel channel = lock.channel();
            ByteBuffer buffer = ByteBuffer.wrap(version);
            uninterrupted(() -> {
                while (buffer.hasRemaining()) {
                    channel.write(buffer, buffer.position());
                }
                return channel.truncate(VERSION_BYTES);
            });
        }

        @Override
        public void close() throws IOException {
            lock.release();
        }
    }

    private static Object fileKey(Path path) throws IOException {
        try {
            return Objects.requireNonNullElse(Files.readAttributes(path, BasicFileAttributes.class).fileKey(), path);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    private static void pause() throws IOException {
        try {
            Thread.sleep(5);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for the store lock", e);
        }
    }

    private interface Io<T> {
        T run() throws IOException;
    }

    /**
     * Runs I/O on the lock file with the thread's interrupt flag put aside: a thread that does I/O
     * on a {@code FileChannel} while interrupted closes it, and closing any descriptor of the lock
     * file drops this process's lock, which another process could then take in the middle of a write.
     */
    private static <T> T uninterrupted(Io<T> io) throws IOException {
        boolean interrupted = Thread.interrupted();
        try {
            return io.run();
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
