package io.gitops.status.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lease of a {@link FileDocument}, which picks the one process sending notifications: one
 * holder at a time, in this JVM and between processes (another JVM, {@link LeaseDocument}); the
 * last write is what every process reads; a lease closed, or whose process died, can be taken.
 */
class FileDocumentTest {

    @TempDir
    Path dir;

    private Other other;

    @AfterEach
    void stopOther() throws Exception {
        if (other != null) {
            other.kill();
        }
    }

    private Path documentFile() {
        return dir.resolve("status.json.notifications");
    }

    @Test
    void oneLeaseAtATimeInThisJvm() {
        FileDocument document = new FileDocument(documentFile());
        FileDocument sameFile = new FileDocument(documentFile());
        try (SharedDocument.Lease lease = document.tryLease().orElseThrow()) {
            assertTrue(lease.held());
            assertEquals(Optional.empty(), document.tryLease(), "a second lease from the same document");
            assertEquals(Optional.empty(), sameFile.tryLease(), "a second lease from another application in this JVM");
            assertTrue(lease.held(), "refusing others leaves the holder's lease");
        }
        try (SharedDocument.Lease next = sameFile.tryLease().orElseThrow()) {
            assertTrue(next.held(), "after close, another takes it");
            assertEquals(Optional.empty(), document.tryLease());
        }
    }

    @Test
    void readSeesTheLastWriteAndAClosedLeaseWritesNothing() {
        FileDocument document = new FileDocument(documentFile());
        FileDocument reader = new FileDocument(documentFile());
        assertEquals(Optional.empty(), reader.read(), "never written");
        SharedDocument.Lease lease = document.tryLease().orElseThrow();
        lease.write(bytes("one"));
        assertArrayEquals(bytes("one"), reader.read().orElseThrow());
        lease.write(bytes("two"));
        assertArrayEquals(bytes("two"), reader.read().orElseThrow());
        assertArrayEquals(bytes("two"), document.read().orElseThrow());
        lease.close();
        assertFalse(lease.held());
        assertThrows(StoreUnavailableException.class, () -> lease.write(bytes("late")));
        assertArrayEquals(bytes("two"), reader.read().orElseThrow(), "the closed lease's write did not land");
        try (SharedDocument.Lease next = reader.tryLease().orElseThrow()) {
            assertArrayEquals(bytes("two"), reader.read().orElseThrow(), "the next holder reads where the last stopped");
            next.write(bytes("three"));
        }
        assertArrayEquals(bytes("three"), document.read().orElseThrow());
    }

    @Test
    void oneLeaseAtATimeBetweenProcesses() throws Exception {
        other = Other.start(documentFile());
        FileDocument document = new FileDocument(documentFile());

        assertEquals("LEASED", other.ask("lease"));
        assertEquals("WROTE", other.ask("write from the other process"));
        assertEquals(Optional.empty(), document.tryLease(), "the other process holds it");
        assertArrayEquals(bytes("from the other process"), document.read().orElseThrow());
        assertEquals("CLOSED", other.ask("close"));

        try (SharedDocument.Lease lease = document.tryLease().orElseThrow()) {
            assertEquals("BUSY", other.ask("lease"), "this process holds it");
            lease.write(bytes("from this process"));
            assertEquals("READ from this process", other.ask("read"));
            assertEquals("FAILED no lease", other.ask("write the other process's, without the lease"));
        }
        assertEquals("LEASED", other.ask("lease"), "free again once closed");
    }

    /**
     * Two web applications in one JVM have a class loader each, and so a FileDocument class each:
     * the one that does not get the lease must not touch the lock file (closing a descriptor of it
     * would drop the holder's lock to every other process).
     */
    @Test
    void aSecondApplicationInThisJvmNeitherTakesNorBreaksTheLease() throws Exception {
        URL classes = FileDocument.class.getProtectionDomain().getCodeSource().getLocation();
        try (URLClassLoader application = new URLClassLoader(new URL[] {classes}, null)) {
            Class<?> theirClass = application.loadClass(FileDocument.class.getName());
            assertFalse(theirClass == FileDocument.class, "a class of its own, as in another web application");
            Constructor<?> create = theirClass.getDeclaredConstructor(Path.class);
            create.setAccessible(true);
            Object theirDocument = create.newInstance(documentFile());
            Method tryLease = theirClass.getMethod("tryLease");
            tryLease.setAccessible(true);
            try (SharedDocument.Lease mine = new FileDocument(documentFile()).tryLease().orElseThrow()) {
                for (int i = 0; i < 3; i++) {
                    assertEquals(Optional.empty(), tryLease.invoke(theirDocument), "the other application's try");
                }
                other = Other.start(documentFile());
                assertEquals("BUSY", other.ask("lease"), "this JVM's lock still excludes other processes");
                assertTrue(mine.held());
            }
            Optional<?> theirs = (Optional<?>) tryLease.invoke(theirDocument);
            assertTrue(theirs.isPresent(), "free for it once closed");
            ((AutoCloseable) theirs.get()).close();
        }
    }

    @Test
    void aKilledHoldersLeaseCanBeTaken() throws Exception {
        other = Other.start(documentFile());
        FileDocument document = new FileDocument(documentFile());
        assertEquals("LEASED", other.ask("lease"));
        assertEquals("WROTE", other.ask("write last words"));
        assertEquals(Optional.empty(), document.tryLease());

        other.kill(); // SIGKILL: no close, the kernel drops the lock with the process
        other = null;
        try (SharedDocument.Lease lease = document.tryLease().orElseThrow()) {
            assertTrue(lease.held());
            assertArrayEquals(bytes("last words"), document.read().orElseThrow());
        }
    }

    /**
     * Closing a lease twice (the second time after another application of this JVM took it) must
     * leave the new holder's lease whole. FileChannel locks are POSIX record locks, dropped by the
     * kernel when the process closes any descriptor of the file: a stale close that freed the
     * JVM-wide guard let the next try open (and close) the lock file again, which released the
     * holder's lock to every other process while its {@code held()} still said true.
     */
    @Test
    void aSecondCloseOfAnOldLeaseLeavesTheNewHoldersLease() throws Exception {
        other = Other.start(documentFile());
        FileDocument document = new FileDocument(documentFile());
        SharedDocument.Lease old = document.tryLease().orElseThrow();
        old.close();
        try (SharedDocument.Lease current = document.tryLease().orElseThrow()) {
            old.close();
            Object again;
            try {
                again = document.tryLease();
            } catch (StoreUnavailableException e) {
                again = e;
            }
            assertEquals("BUSY", other.ask("lease"), "still held against other processes");
            assertTrue(current.held());
            assertEquals(Optional.empty(), again, "still held in this JVM");
        }
        assertEquals("LEASED", other.ask("lease"));
    }

    /**
     * The lock file removed from outside (a clean-up, a restore) while held: another process then
     * locks a new file of that name, so the holder must see that it no longer holds the lease.
     */
    @Test
    void aLeaseWhoseLockFileIsRemovedIsNoLongerHeld() throws Exception {
        other = Other.start(documentFile());
        FileDocument document = new FileDocument(documentFile());
        SharedDocument.Lease lease = document.tryLease().orElseThrow();
        lease.write(bytes("one"));
        java.nio.file.Files.delete(dir.resolve("status.json.notifications.lock"));

        assertFalse(lease.held(), "held on a file nobody else locks");
        assertEquals("LEASED", other.ask("lease"), "the other process locks the new file");
        assertEquals("WROTE", other.ask("write two"));
        assertThrows(StoreUnavailableException.class, () -> lease.write(bytes("late")));
        assertArrayEquals(bytes("two"), document.read().orElseThrow());
        lease.close();
        assertEquals(Optional.empty(), document.tryLease(), "the other process holds the new file");
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** A {@link LeaseDocument} in its own JVM. */
    private record Other(Process process, BufferedReader out, Writer in) {

        static Other start(Path documentFile) throws IOException {
            Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx64m", "-XX:TieredStopAtLevel=1", "-cp", classPath(), LeaseDocument.class.getName(),
                    documentFile.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            return new Other(process,
                    new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)),
                    new java.io.OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8));
        }

        String ask(String command) throws IOException {
            in.write(command + "\n");
            in.flush();
            String answer = out.readLine();
            if (answer == null) {
                throw new IOException("the other process ended before answering " + command);
            }
            return answer;
        }

        void kill() throws InterruptedException {
            process.destroyForcibly();
            assertTrue(process.waitFor(30, TimeUnit.SECONDS), "the other process ended");
        }

        private static String classPath() {
            String surefire = System.getProperty("surefire.test.class.path");
            return surefire != null && !surefire.isBlank() ? surefire : System.getProperty("java.class.path");
        }
    }
}
