package io.gitops.status.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.gitops.status.api.StatusRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults of the disk and of the files: each gives a clear 503 reason (or a readiness reason),
 * loses nothing acknowledged, and recovers by itself once the fault is gone.
 */
class StoreFaultsTest {

    @TempDir
    Path dir;

    @Test
    void unwritableFolderRefusesWritesKeepsServingReadsAndRecovers() throws Exception {
        Path folder = Files.createDirectory(dir.resolve("data"));
        Path file = folder.resolve("status.json");
        try (FileStatusStore store = new FileStatusStore(file)) {
            store.write(TestUpdates.put("g", "before", "synced"));
            try (Unwritable ignored = Unwritable.make(folder)) {
                StoreUnavailableException refused = assertThrows(StoreUnavailableException.class,
                        () -> store.write(TestUpdates.put("g", "during", "synced")));
                assertTrue(refused.getMessage().startsWith("cannot write " + folder), refused.getMessage());
                assertFalse(store.readiness().ready());
                assertTrue(store.readiness().reason().contains("not writable"), store.readiness().reason());
                assertEquals(List.of("g/before"), keys(store), "reads are still served from memory");
            }
            store.write(TestUpdates.put("g", "after", "synced"));
            assertTrue(store.readiness().ready(), store.readiness().reason());
        }
        try (FileStatusStore reopened = new FileStatusStore(file)) {
            assertEquals(List.of("g/after", "g/before"), keys(reopened));
        }
    }

    /**
     * A folder the service cannot write to, and its files: chmod for an ordinary user; for root,
     * whom permissions do not stop, the immutable attribute (chattr +i).
     */
    private record Unwritable(Path folder, boolean root) implements AutoCloseable {
        static Unwritable make(Path folder) throws Exception {
            boolean root = "root".equals(System.getProperty("user.name"));
            Unwritable unwritable = new Unwritable(folder, root);
            unwritable.set(true);
            return unwritable;
        }

        private void set(boolean on) throws Exception {
            List<Path> paths = new ArrayList<>();
            try (var files = Files.list(folder)) {
                files.forEach(paths::add);
            }
            paths.add(folder);
            for (Path path : paths) {
                boolean done = root
                        ? ScratchFilesystem.run("chattr", on ? "+i" : "-i", path.toString())
                        : ScratchFilesystem.run("chmod", on ? "a-w" : "u+w", path.toString());
                assumeTrue(done || !on, "cannot make " + path + " unwritable here; skipped");
            }
        }

        @Override
        public void close() throws Exception {
            set(false);
        }
    }

    @Test
    void fullDiskRefusesWritesLosesNothingAcknowledgedAndRecovers() throws Exception {
        Path mount = Files.createDirectory(dir.resolve("full"));
        try (ScratchFilesystem fs = ScratchFilesystem.mount(mount, "1m");
                FileStatusStore store = new FileStatusStore(mount.resolve("status.json"))) {
            List<String> acknowledged = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                store.write(TestUpdates.put("g", "h" + i, "synced"));
                acknowledged.add("g/h" + i);
            }
            Path filler = mount.resolve("filler");
            fill(filler);

            int refused = 0;
            for (int i = 20; i < 200; i++) {
                try {
                    store.write(TestUpdates.put("g", "h" + i, "synced"));
                    acknowledged.add("g/h" + i);
                } catch (StoreUnavailableException e) {
                    assertTrue(e.getMessage().contains("No space left on device"), e.getMessage());
                    refused++;
                }
            }
            assertTrue(refused > 0, "the full disk refused writes");
            assertFalse(store.readiness().ready());

            Files.delete(filler);
            store.write(TestUpdates.put("g", "after", "synced"));
            acknowledged.add("g/after");
            assertTrue(store.readiness().ready(), store.readiness().reason());
            try (FileStatusStore reopened = new FileStatusStore(mount.resolve("status.json"))) {
                assertTrue(keys(reopened).containsAll(acknowledged), "every acknowledged write is on disk");
            }
        }
    }

    @Test
    void lockFileRemovedWhileRunningIsRecreatedAndStillShared() throws IOException {
        Path file = dir.resolve("status.json");
        Path lock = dir.resolve("status.json.lock");
        try (FileStatusStore a = new FileStatusStore(file); FileStatusStore b = new FileStatusStore(file)) {
            a.write(TestUpdates.put("g", "one", "synced"));
            Files.delete(lock);
            a.write(TestUpdates.put("g", "two", "synced"));
            assertTrue(Files.exists(lock), "the lock file is created again");
            assertEquals(List.of("g/one", "g/two"), keys(b), "the other store still sees every write");
            b.write(TestUpdates.put("g", "three", "synced"));
            assertEquals(List.of("g/one", "g/three", "g/two"), keys(a));
        }
    }

    @Test
    void dataFileReplacedFromOutsideWithInvalidContentIsNeverOverwrittenAndRecovers() throws IOException {
        Path file = dir.resolve("status.json");
        try (FileStatusStore store = new FileStatusStore(file)) {
            store.write(TestUpdates.put("g", "acknowledged", "synced"));
            Files.writeString(file, "{\"version\": \"2.0\", \"servers\": {\"g/x\": [}}");

            StoreUnavailableException e = assertThrows(StoreUnavailableException.class, store::all);
            assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("damaged"),
                    e.getMessage());
            assertThrows(StoreUnavailableException.class, () -> store.write(TestUpdates.put("g", "y", "synced")));
            assertFalse(store.readiness().ready());
            assertEquals("{\"version\": \"2.0\", \"servers\": {\"g/x\": [}}", Files.readString(file));

            // Fixed from outside with valid content: the journal's acknowledged entries are kept.
            Files.writeString(file, "{\"version\": \"2.0\", \"servers\": {\"g/restored\": "
                    + "{\"server_group\": \"g\", \"host\": \"restored\", \"status\": \"failed\"}}}");
            assertEquals(List.of("g/acknowledged", "g/restored"), keys(store));
            store.write(TestUpdates.put("g", "after", "synced"));
            assertTrue(store.readiness().ready());
        }
    }

    @Test
    void dataFileReplacedFromOutsideWithValidContentIsReadWithTheJournalOverIt() throws IOException {
        Path file = dir.resolve("status.json");
        try (FileStatusStore store = new FileStatusStore(file);
                FileStatusStore other = new FileStatusStore(file)) {
            store.write(TestUpdates.put("g", "acknowledged", "synced"));
            Files.writeString(file, "{\"version\": \"2.0\", \"servers\": {\"g/outside\": "
                    + "{\"server_group\": \"g\", \"host\": \"outside\", \"status\": \"unknown\"}}}",
                    StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING);
            assertEquals(List.of("g/acknowledged", "g/outside"), keys(store));
            assertEquals(List.of("g/acknowledged", "g/outside"), keys(other));
        }
    }

    private static void fill(Path filler) throws IOException {
        byte[] block = new byte[64 * 1024];
        try (var out = Files.newOutputStream(filler)) {
            while (true) {
                out.write(block);
            }
        } catch (IOException e) {
            if (!String.valueOf(e.getMessage()).contains("No space left")) {
                throw e;
            }
        }
    }

    private static List<String> keys(FileStatusStore store) {
        return store.all().stream().map(StatusRecord::key).toList();
    }
}
