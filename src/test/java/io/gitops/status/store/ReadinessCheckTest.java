package io.gitops.status.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code /ready} costs no disk write: hammering it leaves the data folder as it was. */
class ReadinessCheckTest {

    @TempDir
    Path dir;

    @Test
    void readinessWritesNothingToTheDataFolder() throws Exception {
        Path file = dir.resolve("status.json");
        try (FileStatusStore store = new FileStatusStore(file)) {
            store.write(TestUpdates.put("g", "h", "synced"));
        } // folded: no compaction will touch the folder while we watch
        try (FileStatusStore store = new FileStatusStore(file)) {
            FileTime folder = Files.getLastModifiedTime(dir);
            List<Path> files = list();
            long end = System.nanoTime() + 1_500_000_000L; // past the answer's lifetime
            int calls = 0;
            while (System.nanoTime() < end) {
                assertTrue(store.readiness().ready());
                calls++;
            }
            assertTrue(calls > 100, "calls: " + calls);
            assertEquals(folder, Files.getLastModifiedTime(dir), "no file was created or removed");
            assertEquals(files, list());
        }
    }

    private List<Path> list() throws Exception {
        try (var entries = Files.list(dir)) {
            return entries.sorted().toList();
        }
    }
}
