package io.gitops.status.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gitops.status.api.StatusRecord;
import io.gitops.status.update.Deletion;
import io.gitops.status.api.Refusal;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileStatusStoreTest {

    @TempDir
    Path dir;

    private Path file() {
        return dir.resolve("status.json");
    }

    private Path journal() {
        return dir.resolve("status.json.journal");
    }

    @Test
    void missingFileIsAnEmptyStoreAndMissingFoldersAreCreated() {
        Path nested = dir.resolve("a/b/status.json");
        try (FileStatusStore store = new FileStatusStore(nested)) {
            assertEquals(List.of(), store.all());
            assertTrue(store.readiness().ready(), store.readiness().reason());
            assertTrue(Files.isDirectory(nested.getParent()));
            assertFalse(Files.exists(nested), "reading an empty store writes nothing");
        }
    }

    /**
     * Several deletions in one batch: one journal append; a deletion whose condition no longer
     * holds when applied (the record changed since it was selected) leaves the record; one of a
     * record gone meanwhile is refused with 404 without failing the others.
     */
    @Test
    void writeAllAppliesConditionalDeletionsInOneBatch() {
        try (FileStatusStore store = new FileStatusStore(file())) {
            for (String host : List.of("a", "b", "c")) {
                store.write(TestUpdates.put("g", host, "failed"));
            }
            long batches = store.stats().batches();
            List<StatusStore.Outcome> outcomes = store.writeAll(List.of(
                    new Deletion("g", "a", record -> record.status().equals("failed")),
                    new Deletion("g", "b", record -> record.status().equals("synced")),
                    new Deletion("g", "gone", record -> true),
                    new Deletion("g", "c")));
            assertNull(outcomes.get(0).written().record(), "deleted");
            assertEquals("b", outcomes.get(1).written().record().host(), "left: no longer matching");
            assertEquals(Refusal.Kind.NOT_FOUND, outcomes.get(2).refused().kind());
            assertNull(outcomes.get(3).written().record(), "deleted");
            assertEquals(batches + 1, store.stats().batches(), "one journal append for the batch");
        }
        try (FileStatusStore reopened = new FileStatusStore(file())) {
            assertEquals(List.of("g/b"), reopened.all().stream().map(StatusRecord::key).toList());
        }
    }

    @Test
    void writeCloseReopenGivesTheSameRecords() {
        List<StatusRecord> written = new ArrayList<>();
        try (FileStatusStore store = new FileStatusStore(file())) {
            written.add(store.write(TestUpdates.put("web", "w-02", "synced")).record());
            written.add(store.write(TestUpdates.put("web", "w-01", "failed")).record());
            written.add(store.write(TestUpdates.put("db", "d-01", "out_of_sync")).record());
            assertTrue(store.write(TestUpdates.put("db", "d-02", "synced")).created());
            assertFalse(store.write(TestUpdates.put("db", "d-02", "unknown")).created());
            written.add(store.find("db", "d-02").orElseThrow());
        }
        written.sort(StatusRecord.ORDER);
        try (FileStatusStore reopened = new FileStatusStore(file())) {
            assertEquals(written, reopened.all());
        }
    }

    @Test
    void dataFileHasTheSeedFormatWithoutDerivedCount() throws IOException {
        try (FileStatusStore store = new FileStatusStore(file())) {
            store.write(TestUpdates.put("rsyslog-prod", "rsyslog-01", "synced"));
        }
        var root = io.gitops.status.json.Json.mapper().readTree(file().toFile());
        assertEquals("2.0", root.get("version").textValue());
        var record = root.get("servers").get("rsyslog-prod/rsyslog-01");
        assertEquals("rsyslog-01", record.get("host").textValue());
        assertFalse(record.has("changed_files_count"));
        // the seed's fields, and which journal lines the file already holds (see Journal)
        assertEquals(List.of("version", "folded", "servers"), iterate(root.fieldNames()));
    }

    @Test
    void refusedWriteChangesNothing() throws IOException {
        try (FileStatusStore store = new FileStatusStore(file())) {
            store.write(TestUpdates.put("web", "w-01", "synced"));
            byte[] before = Files.readAllBytes(journal());
            var refusing = new TestUpdates.Of("web", "w-01", (current, now) -> {
                throw Refusal.notFound("refused");
            });
            Refusal e = assertThrows(Refusal.class, () -> store.write(refusing));
            assertEquals(Refusal.Kind.NOT_FOUND, e.kind());
            assertArrayEquals(before, Files.readAllBytes(journal()));
        }
    }

    @Test
    void noTemporaryFileIsLeftAndLeftoversOfACrashAreRemoved() throws IOException {
        Files.writeString(dir.resolve("status.json.1234abcd.tmp"), "{\"half\":");
        Files.writeString(dir.resolve("other.json.tmp"), "not ours");
        try (FileStatusStore store = new FileStatusStore(file())) {
            for (int i = 0; i < 20; i++) {
                store.write(TestUpdates.put("g", "h" + i, "synced"));
            }
            store.readiness();
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(Set.of("status.json", "status.json.lock", "status.json.journal", "other.json.tmp"),
                    files.map(p -> p.getFileName().toString()).collect(java.util.stream.Collectors.toSet()));
        }
    }

    @Test
    void thirtyTwoThreadsTimesHundredWritesLoseNothing() throws Exception {
        int threads = 32;
        int writesPerThread = 100;
        try (FileStatusStore store = new FileStatusStore(file())) {
            runConcurrently(threads, t -> {
                for (int i = 0; i < writesPerThread; i++) {
                    // Every thread appends to one shared record and writes a record of its own.
                    store.write(TestUpdates.append("shared", "counter", "t" + t + "-" + i));
                    store.write(TestUpdates.put("own", "t" + t + "-" + i, "synced"));
                }
            });
            assertAllAppended(store.find("shared", "counter").orElseThrow(), threads, writesPerThread);
            assertEquals(threads * writesPerThread + 1, store.all().size());
        }
        try (FileStatusStore reopened = new FileStatusStore(file())) {
            assertAllAppended(reopened.find("shared", "counter").orElseThrow(), threads, writesPerThread);
            assertEquals(threads * writesPerThread + 1, reopened.all().size());
        }
    }

    @Test
    void twoStoresOnOneFileWritingAlternatelySeeEachOther() {
        try (FileStatusStore a = new FileStatusStore(file()); FileStatusStore b = new FileStatusStore(file())) {
            for (int i = 0; i < 50; i++) {
                FileStatusStore writer = i % 2 == 0 ? a : b;
                FileStatusStore reader = i % 2 == 0 ? b : a;
                writer.write(TestUpdates.append("shared", "counter", "w" + i));
                assertEquals(i + 1, reader.find("shared", "counter").orElseThrow().changedFiles().size(),
                        "a read sees every write acknowledged before it");
            }
        }
    }

    @Test
    void twoStoresOnOneFileWritingConcurrentlyLoseNothing() throws Exception {
        int threads = 8;
        int writesPerThread = 50;
        try (FileStatusStore a = new FileStatusStore(file()); FileStatusStore b = new FileStatusStore(file())) {
            runConcurrently(threads, t -> {
                FileStatusStore store = t % 2 == 0 ? a : b;
                for (int i = 0; i < writesPerThread; i++) {
                    store.write(TestUpdates.append("shared", "counter", "t" + t + "-" + i));
                }
            });
            assertAllAppended(a.find("shared", "counter").orElseThrow(), threads, writesPerThread);
            assertAllAppended(b.find("shared", "counter").orElseThrow(), threads, writesPerThread);
        }
    }

    @Test
    void damagedFileIsNeverOverwrittenAndRecoversWhenFixed() throws IOException {
        for (String damaged : List.of("{\"version\": \"2.0\", \"servers\": {\"a/b\": ", "garbage",
                "{\"version\": \"3.0\", \"servers\": {}}", "{\"version\": \"2.0\", \"servers\": []}",
                "{\"version\": \"2.0\", \"servers\": {\"a/b\": 5}}", "[1, 2]", "{\"x\": {\"y\": 1}}",
                // names that the input rules refuse: a space, a leading '-', a '/' (which would hide a record)
                "{\"version\": \"2.0\", \"servers\": {\"a b/c\": {\"server_group\": \"a b\", \"host\": \"c\"}}}",
                "{\"version\": \"2.0\", \"servers\": {\"a/-c\": {\"server_group\": \"a\", \"host\": \"-c\"}}}",
                "{\"version\": \"2.0\", \"servers\": {\"a/b/c\": {\"server_group\": \"a/b\", \"host\": \"c\"}}}")) {
            byte[] bytes = damaged.getBytes(StandardCharsets.UTF_8);
            Files.write(file(), bytes);
            try (FileStatusStore store = new FileStatusStore(file())) {
                StoreUnavailableException read = assertThrows(StoreUnavailableException.class, store::all);
                assertTrue(read.getMessage().contains(file().toString()), read.getMessage());
                assertThrows(StoreUnavailableException.class,
                        () -> store.write(TestUpdates.put("g", "h", "synced")));
                assertFalse(store.readiness().ready());
                assertArrayEquals(bytes, Files.readAllBytes(file()), "damaged file left byte for byte: " + damaged);

                Files.writeString(file(), "{\"version\": \"2.0\", \"servers\": {}}");
                store.write(TestUpdates.put("g", "h", "synced"));
                assertEquals(1, store.all().size(), "recovers once the file is fixed");
            }
        }
    }

    @Test
    void fileReplacedFromOutsideIsReloaded() throws IOException {
        try (FileStatusStore store = new FileStatusStore(file())) {
            store.write(TestUpdates.put("g", "h1", "synced"));
            Files.writeString(file(), "{\"version\":\"2.0\",\"servers\":{\"x/y\":{\"server_group\":\"x\","
                    + "\"host\":\"y\",\"status\":\"failed\"}}}");
            assertTrue(store.find("x", "y").isPresent(), "the new data file is read");
        }
    }

    @Test
    void olderFilesWithZonelessTimestampsAndUpperCaseStatusAreRead() throws IOException {
        Files.writeString(file(), """
                {"version": "2.0", "servers": {"rsyslog-prod/rsyslog-01": {
                  "server_group": "rsyslog-prod", "host": "rsyslog-01", "status": "SYNCED",
                  "changed_files_count": 0, "changed_files": [],
                  "last_pipeline_run": "2026-04-26T10:30:00.123456", "timestamp": "2026-04-26T13:00:00+03:00"}}}
                """);
        try (FileStatusStore store = new FileStatusStore(file())) {
            StatusRecord r = store.find("rsyslog-prod", "rsyslog-01").orElseThrow();
            assertEquals("synced", r.status());
            assertEquals("2026-04-26T10:30:00.123456Z", r.lastPipelineRun());
            assertEquals("2026-04-26T10:00:00Z", r.timestamp());
        }
    }

    private static void assertAllAppended(StatusRecord record, int threads, int writesPerThread) {
        Set<String> expected = new HashSet<>();
        for (int t = 0; t < threads; t++) {
            for (int i = 0; i < writesPerThread; i++) {
                expected.add("t" + t + "-" + i);
            }
        }
        assertEquals(threads * writesPerThread, record.changedFiles().size());
        assertEquals(expected, new HashSet<>(record.changedFiles()));
    }

    interface ThreadBody {
        void run(int thread) throws Exception;
    }

    static void runConcurrently(int threads, ThreadBody body) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    body.run(thread);
                    return null;
                }));
            }
            for (Future<?> future : futures) {
                future.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static <T> List<T> iterate(java.util.Iterator<T> iterator) {
        List<T> list = new ArrayList<>();
        iterator.forEachRemaining(list::add);
        return list;
    }
}
