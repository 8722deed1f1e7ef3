package io.gitops.status.store;

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
 * <p>Limits: {@code FileChannel} locks are advisory and process-wide. Inside one JVM the caller
 * must serialise threads first ({@link FileStatusStore} does); a lock held by another web
 * application of the same JVM (a Tomcat redeploy overlapping the old one) is waited for. On
 * network filesystems such as NFS, locking depends on the server and is not relied upon.
 */
final class ProcessLock implements AutoCloseable {

    private static final long WAIT_FOR_OTHER_APPLICATION_NANOS = TimeUnit.SECONDS.toNanos(30);

    private final FileChannel channel;
    private final FileLock lock;

    private ProcessLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    static ProcessLock acquire(Path lockFile) throws IOException {
        long deadline = System.nanoTime() + WAIT_FOR_OTHER_APPLICATION_NANOS;
        while (true) {
            FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            try {
                Object before = fileKey(lockFile);
                FileLock lock;
                try {
                    lock = channel.lock();
                } catch (OverlappingFileLockException e) {
                    // Another web application in this JVM holds it: wait, it is released soon.
                    channel.close();
                    if (System.nanoTime() > deadline) {
                        throw new IOException("lock " + lockFile + " is held by another application in this JVM");
                    }
                    pause();
                    continue;
                }
                // If the lock file was removed or replaced while we waited, we hold a lock on a file
                // nobody else will lock: start again on the file that is there now.
                if (before != null && before.equals(fileKey(lockFile))) {
                    return new ProcessLock(channel, lock);
                }
                lock.release();
                channel.close();
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
        }
    }

    /** The version the lock file holds, or {@code null} when it has none. */
    static String readVersion(Path lockFile) throws IOException {
        try {
            return new String(Files.readAllBytes(lockFile), StandardCharsets.US_ASCII);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /** Records that the stored data changed; call after the change is durable, before acknowledging it. */
    void publishNewVersion() throws IOException {
        byte[] version = HexFormat.of().formatHex(ByteBuffer.allocate(8)
                .putLong(ThreadLocalRandom.current().nextLong()).array()).getBytes(StandardCharsets.US_ASCII);
        ByteBuffer buffer = ByteBuffer.wrap(version);
        channel.truncate(version.length);
        while (buffer.hasRemaining()) {
            channel.write(buffer, buffer.position());
        }
    }

    @Override
    public void close() throws IOException {
        try (channel) {
            lock.release();
        }
    }

    private static Object fileKey(Path path) throws IOException {
        try {
            return Objects.requireNonNullElse(
                    Files.readAttributes(path, BasicFileAttributes.class).fileKey(), path);
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
}
