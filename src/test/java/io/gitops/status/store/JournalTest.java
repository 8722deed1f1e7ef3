package io.gitops.status.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gitops.status.api.StatusRecord;
import io.gitops.status.api.Transition;
import io.gitops.status.update.AttributedUpdate;
import io.gitops.status.json.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalTest {

    @TempDir
    Path dir;

    private Path file() {
        return dir.resolve("status.json");
    }

    private Path journal() {
        return dir.resolve("status.json.journal");
    }

    /** The journal's change lines: every line but its first, which names the journal. */
    private List<String> entryLines() throws IOException {
        if (!Files.exists(journal())) {
            return List.of();
        }
        List<String> lines = Files.readAllLines(journal());
        if (lines.isEmpty()) {
            return lines;
        }
        assertTrue(lines.get(0).matches("[0-9a-f]{8} \\{\"journal\":\"[0-9a-f-]{36}\"}"), lines.get(0));
        return lines.subList(1, lines.size());
    }

    @Test
    void writesGoToTheJournalAndAreReplayedByANewInstance() throws IOException {
        try (FileStatusStore writer = new FileStatusStore(file())) {
            writer.write(TestUpdates.put("web", "w-01", "synced"));
            writer.write(TestUpdates.put("web", "w-01", "failed"));
            writer.write(TestUpdates.put("db", "d-01", "synced"));
            assertFalse(Files.exists(file()), "no data file rewrite per write");
            assertEquals(3, entryLines().size());

            // A new instance (as after a crash of the writer) replays the journal.
            try (FileStatusStore restarted = new FileStatusStore(file())) {
                assertEquals(List.of("db/d-01", "web/w-01"), keys(restarted.all()));
                assertEquals("failed", restarted.find("web", "w-01").orElseThrow().status());
            }
        }
    }

    /**
     * A write that adds a transition journals only that transition; replay (a restart, another
     * process catching up) rebuilds the same history, trimmed the same way, and a history
     * replaced wholesale is journalled whole.
     */
    @Test
    void historyIsJournalledAsTheTransitionsAddedAndReplayedExactly() throws IOException {
        int kept = 5;
        try (FileStatusStore writer = new FileStatusStore(file());
                FileStatusStore other = new FileStatusStore(file())) {
            for (int i = 0; i < 40; i++) {
                String status = i % 2 == 0 ? "synced" : "failed";
                writer.write(new AttributedUpdate(TestUpdates.put("web", "w-01", status), "ci", kept));
                if (i % 3 == 0) { // and a write that changes nothing in the history
                    writer.write(new AttributedUpdate(TestUpdates.put("web", "w-01", status), "ci", kept));
                }
            }
            List<Transition> history = writer.find("web", "w-01").orElseThrow().history();
            assertEquals(kept, history.size());
            assertEquals(List.of("synced", "failed", "synced", "failed", "synced"),
                    history.stream().map(Transition::from).toList());
            for (String line : entryLines()) {
                int transitions = line.split("\"to\"", -1).length - 1;
                assertTrue(transitions <= 1, "a line carries the whole history: " + line);
                assertTrue(line.contains("\"history_keep\":"), line);
            }
            assertEquals(history, other.find("web", "w-01").orElseThrow().history(), "another process");

            // A history that does not continue the stored one (written by hand, say) goes whole.
            StatusRecord replaced = writer.find("web", "w-01").orElseThrow()
                    .withWriter("ci", List.of(new Transition("2026-01-01T00:00:00Z", null, "unknown", "test", null, 0),
                            new Transition("2026-01-01T00:00:01Z", "unknown", "synced", "test", null, 0),
                            new Transition("2026-01-01T00:00:02Z", "synced", "unknown", "test", null, 0)));
            writer.write(TestUpdates.storing(replaced));
            List<String> lines = entryLines();
            assertFalse(lines.get(lines.size() - 1).contains("history_keep"), lines.get(lines.size() - 1));
            assertEquals(replaced.history(), other.find("web", "w-01").orElseThrow().history());
        }
        try (FileStatusStore restarted = new FileStatusStore(file())) {
            assertEquals(List.of("unknown", "synced", "unknown"), restarted.find("web", "w-01").orElseThrow().history()
                    .stream().map(Transition::to).toList());
        }
    }

    @Test
    void deletionsAreJournalledReplayedAndFolded() throws IOException {
        try (FileStatusStore store = new FileStatusStore(file())) {
            store.write(TestUpdates.put("g", "kept", "synced"));
            store.write(TestUpdates.put("g", "gone", "synced"));
            StatusStore.Written deleted = store.write(new TestUpdates.Of("g", "gone", (current, now) -> null));
            assertEquals(null, deleted.record());
            assertTrue(Files.readString(journal()).contains("{\"delete\":\"g/gone\"}"));
            try (FileStatusStore restarted = new FileStatusStore(file())) {
                assertEquals(List.of("g/kept"), keys(restarted.all()));
            }
        }
        var servers = Json.mapper().readTree(file().toFile()).get("servers");
        assertEquals(List.of("g/kept"), iterate(servers.fieldNames()));
    }

    @Test
    void closeFoldsTheJournalIntoTheDataFile() throws IOException {
        try (FileStatusStore store = new FileStatusStore(file())) {
            for (int i = 0; i < 10; i++) {
                store.write(TestUpdates.put("g", "h" + i, "synced"));
            }
        }
        assertEquals(List.of(), entryLines());
        var servers = Json.mapper().readTree(file().toFile()).get("servers");
        assertEquals(10, servers.size());
    }

    @Test
    void quietWritesAreFoldedIntoTheDataFileWithinSeconds() throws Exception {
        try (FileStatusStore store = new FileStatusStore(file())) {
            store.write(TestUpdates.put("g", "h", "synced"));
            long deadline = System.nanoTime() + 15_000_000_000L;
            while (!entryLines().isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertEquals(List.of(), entryLines(), "journal folded after writes went quiet");
            assertTrue(Json.mapper().readTree(file().toFile()).get("servers").has("g/h"));
        }
    }

    @Test
    void aTornLastEntryIsDroppedAndCutOffBeforeTheNextAppend() throws IOException {
        try (FileStatusStore store = new FileStatusStore(file())) {
            store.write(TestUpdates.put("g", "acknowledged", "synced"));
            // What a kill during an append leaves: part of a line, never acknowledged.
            Files.writeString(journal(), "0badc0de {\"put\": {\"server_group\": \"g\", \"ho",
                    StandardOpenOption.APPEND);
            try (FileStatusStore restarted = new FileStatusStore(file())) {
                assertEquals(List.of("g/acknowledged"), keys(restarted.all()));
                restarted.write(TestUpdates.put("g", "after", "synced"));
            }
        }
        try (FileStatusStore reopened = new FileStatusStore(file())) {
            assertEquals(List.of("g/acknowledged", "g/after"), keys(reopened.all()));
        }
    }

    @Test
    void aDamagedEntryFollowedByOthersMakesTheStoreUnavailableAndIsLeftUntouched() throws IOException {
        List<String> lines;
        try (FileStatusStore store = new FileStatusStore(file())) {
            store.write(TestUpdates.put("g", "a", "synced"));
            store.write(TestUpdates.put("g", "b", "synced"));
            lines = new ArrayList<>(Files.readAllLines(journal()));
        }
        // close() folded the journal; put the entries back with the first one corrupted, without
        // the line naming the folded journal (so the data file does not hold them)
        lines.remove(0);
        lines.set(0, lines.get(0).replace("\"a\"", "\"x\""));
        byte[] damaged = (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8);
        Files.write(journal(), damaged);
        byte[] dataFile = Files.readAllBytes(file());

        try (FileStatusStore store = new FileStatusStore(file())) {
            StoreUnavailableException e = assertThrows(StoreUnavailableException.class, store::all);
            assertTrue(e.getMessage().contains("journal"), e.getMessage());
            assertThrows(StoreUnavailableException.class, () -> store.write(TestUpdates.put("g", "c", "synced")));
        }
        assertArrayEquals(damaged, Files.readAllBytes(journal()));
        assertArrayEquals(dataFile, Files.readAllBytes(file()));
    }

    @Test
    void aLargeJournalIsFoldedWhileWriting() throws Exception {
        try (FileStatusStore store = new FileStatusStore(file())) {
            long limit = FileStatusStore.MIN_COMPACTION_BYTES;
            int writes = 0;
            // Keep writing (never quiet) until the compactor has folded the journal at least once.
            while (!Files.exists(file())) {
                store.write(TestUpdates.put("g", "h" + (writes++ % 50), "synced"));
                assertTrue(writes < 200_000, "no compaction after " + writes + " writes");
            }
            // The data file is renamed into place just before the journal is cut back.
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (Files.size(journal()) >= limit && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertTrue(Files.size(journal()) < limit, "the journal was cut back when folded");
            assertEquals(50, store.all().size());
            assertEquals(50, Json.mapper().readTree(file().toFile()).get("servers").size());
        }
    }

    @Test
    void listOrderIsServerGroupThenHostInPlainStringOrder() {
        try (FileStatusStore store = new FileStatusStore(file())) {
            for (String key : List.of("a-b/x", "a/z", "a/B", "A/y", "a/a", "ab/c")) {
                String[] parts = key.split("/");
                store.write(TestUpdates.put(parts[0], parts[1], "synced"));
            }
            List<String> expected = List.of("A/y", "a/B", "a/a", "a/z", "a-b/x", "ab/c");
            assertEquals(expected, keys(store.all()));
            List<StatusRecord> sorted = new ArrayList<>(store.all());
            sorted.sort(StatusRecord.ORDER);
            assertEquals(expected, keys(sorted));
        }
    }

    private static <T> List<T> iterate(java.util.Iterator<T> iterator) {
        List<T> list = new ArrayList<>();
        iterator.forEachRemaining(list::add);
        return list;
    }

    private static List<String> keys(List<StatusRecord> records) {
        return records.stream().map(StatusRecord::key).toList();
    }
}
