package io.gitops.status.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gitops.status.api.StatusRecord;
import io.gitops.status.api.Transition;
import io.gitops.status.json.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The parallel reader of data files ({@link ParallelLoad}, {@link RecordLines} and the token-loop
 * record reader) against the streaming reader: on any file, {@link StoreFormat#read} gives what
 * {@link StoreFormat#readStreaming} gives (the same records in the same order and folded marker,
 * or the same damage), and whenever the parallel reader takes a file it read exactly that.
 */
class ParallelLoadParityTest {

    private static final String HEADER = "{\"version\": \"2.0\", \"servers\": {";
    private static final String FULL = "{\"server_group\":\"g\",\"host\":\"h1\",\"project_name\":\"p\",\"repo_name\":\"r\","
            + "\"server_type\":\"t\",\"environment\":\"prod\",\"status\":\"synced\",\"changed_files\":[\"/etc/a\",\"/etc/b\"],"
            + "\"validation_status\":\"passed\",\"validation_message\":\"ok\",\"commit_sha\":\"abc123\",\"branch\":\"main\","
            + "\"updated_by\":\"ci\",\"labels\":{\"rack\":\"r1\",\"dc\":\"d1\"},\"last_pipeline_run\":\"2026-01-02T03:04:05Z\","
            + "\"last_cron_check\":\"2026-01-02T03:04:06.5Z\",\"timestamp\":\"2026-01-02T03:04:06Z\",\"written_by_token\":\"tok\","
            + "\"history\":[{\"at\":\"2026-01-01T00:00:00Z\",\"from\":null,\"to\":\"synced\",\"source\":\"pipeline\","
            + "\"commit_sha\":\"abc123\",\"changed_files_count\":0}]}";

    /** Records that the token loop takes (it must read them as databind does). */
    private static final List<String> PLAIN = List.of(FULL,
            "{\"server_group\":null,\"host\":null,\"project_name\":null,\"status\":null,\"changed_files\":null,"
                    + "\"labels\":null,\"history\":null,\"written_by_token\":null}",
            "{}",
            "{\"host\":\"h9\",\"server_group\":\"g\",\"changed_files\":[],\"labels\":{},\"history\":[]}",
            "{\"status\":\"OUT_OF_SYNC\",\"validation_status\":\"Failed\",\"last_cron_check\":\"2026-01-02T03:04:05\","
                    + "\"timestamp\":\"not a time\",\"last_pipeline_run\":\"2026-01-02T05:04:05+02:00\"}",
            "{\"validation_message\":\"line\\nbreak \\u00e9 \\\"quoted\\\" \\ud83d\\ude00 caf\u00e9 \\/\","
                    + "\"changed_files\":[\"/etc/\u00e9\",\"\",\"a\\tb\"],\"labels\":{\"k\\u0041\":\"\",\"\":\"v\"}}",
            "{\"history\":[{}, {\"at\":\"2026-01-01T00:00:00.500Z\",\"from\":\"weird\",\"to\":\"\",\"source\":\"cron\","
                    + "\"commit_sha\":\"ABCDEF\",\"changed_files_count\":-3},{\"at\":\"yesterday\",\"commit_sha\":\"abc\","
                    + "\"changed_files_count\":null},{\"changed_files_count\":2147483647,\"commit_sha\":\"\",\"to\":\"failed\"},"
                    + "{\"at\":\"2026-02-30T00:00:00Z\",\"commit_sha\":\"" + "ab".repeat(21) + "\"},"
                    + "{\"at\":\"2026-01-01T00:00:00.000Z\",\"from\":\"SYNCED\",\"source\":\"legacy\",\"commit_sha\":\"0g\"},"
                    + "{\"at\":\"2026-01-01T00:00:00+00:00\",\"to\":\"unknown\",\"commit_sha\":\"" + "f".repeat(40) + "\"},"
                    + "{\"at\":\"\u0032026-01-01T00:00:00Z\",\"from\":\"out_of_sync\",\"commit_sha\":\"ab\\u0063d\"}]}",
            "{\"validation_message\":\"" + "x".repeat(70_000) + "\"}");

    /** Records that the token loop leaves to databind: what databind makes of them is the answer. */
    private static final List<String> UNUSUAL = List.of(
            "{\"extra\":1}", "{\"extra\":{\"a\":[1,{\"b\":null}]}}", "{\"extra\":{\"a\":1,\"a\":2}}",
            "{\"changed_files_count\":3}", "{\"host\":\"a\",\"host\":\"b\"}", "{\"labels\":null,\"labels\":null}",
            "{\"branch\":5}", "{\"branch\":-1.5e3}", "{\"branch\":true}", "{\"branch\":{\"a\":1}}", "{\"branch\":[\"a\"]}",
            "{\"changed_files\":\"a\"}", "{\"changed_files\":[null]}", "{\"changed_files\":[1]}", "{\"changed_files\":{}}",
            "{\"labels\":{\"a\":null}}", "{\"labels\":{\"a\":1}}", "{\"labels\":{\"a\":\"x\",\"a\":\"y\"}}",
            "{\"labels\":[]}", "{\"labels\":\"a\"}",
            "{\"history\":{}}", "{\"history\":[1]}", "{\"history\":[null]}", "{\"history\":[{\"at\":5}]}",
            "{\"history\":[{\"changed_files_count\":\"3\"}]}", "{\"history\":[{\"changed_files_count\":3.7}]}",
            "{\"history\":[{\"changed_files_count\":99999999999}]}", "{\"history\":[{\"changed_files_count\":true}]}",
            "{\"history\":[{\"x\":1}]}", "{\"history\":[{\"at\":\"a\",\"at\":\"b\"}]}", "{\"history\":\"x\"}",
            "{\"status\": 1", "{\"status\":}", "{\"status\":\"a\"}}", "{\"status\":\"a\"} ", "{\"status\":\"a\",}",
            "5", "[]", "null", "{\"status\":\"bad \u0001 char\"}");

    /** Whole files around a record line; the layout of some is another than our writer's. */
    private static final List<String> ODD_FILES = List.of("",
            HEADER + "\n}}\n", HEADER + "\n}}", HEADER + "}}", HEADER + "\n}}\n\n", HEADER + "\n}} \n",
            "{\"version\": \"2.0\", \"folded\": {\"journal\": \"j-1\", \"bytes\": 42}, \"servers\": {\n\"g/h\":{}\n}}\n",
            "{\"version\": \"2.0\", \"folded\": {\"journal\": \"j-1\", \"bytes\": 042}, \"servers\": {\n\"g/h\":{}\n}}\n",
            "{\"version\": \"2.0\", \"folded\": {\"journal\": 5, \"bytes\": 42}, \"servers\": {\n\"g/h\":{}\n}}\n",
            "{\"version\": \"2.0\", \"servers\": {}, \"extra\": {\n\"g/h\":{}\n}}\n",
            "{\"servers\": {\n\"g/h\":{}\n}, \"version\": \"2.0\"}\n",
            "{\"version\": \"3.0\", \"servers\": {\n}}\n",
            HEADER + "\n\"g/h\":{},\n}}\n", HEADER + "\n\"g/h\":{}\n\"g/i\":{}\n}}\n", HEADER + "\n\"g/h\":{},\n\n\"g/i\":{}\n}}\n",
            HEADER + "\n\"g/h\":{}\n}}\n\"g/i\":{}\n", HEADER + "\n\"g/h\":{}\n}}\n}\n", HEADER + "\n\"g/h\":{}\r\n}}\n",
            HEADER + "\n\"g/h\":{},\n\"g/h\":{}\n}}\n", HEADER + "\n\"g/h\":{},\n\"g/\\u0068\":{}\n}}\n",
            HEADER + "\n\"g/h\":{},\n\"x/h\":{\"server_group\":\"g\"}\n}}\n",
            HEADER + "\n\"g/h\" : {}\n}}\n", HEADER + "\n\"g/h\":  {}\n}}\n", HEADER + "\n  \"g/h\":{}\n}}\n",
            HEADER + "\n\"a b/c\":{}\n}}\n", HEADER + "\n\"a/-c\":{}\n}}\n", HEADER + "\n\"a/b/c\":{\"server_group\":\"a/b\",\"host\":\"c\"}\n}}\n",
            HEADER + "\n\"g/" + "h".repeat(2000) + "\":{\"server_group\":\"g\",\"host\":\"h\"}\n}}\n",
            HEADER + "\n\"g/h\u00e9\":{}\n}}\n", HEADER + "\n\"g\":{}\n}}\n", "\ufeff" + HEADER + "\n\"g/h\":{}\n}}\n",
            "[{\"server_group\": \"g\", \"host\": \"h\", \"status\": \"synced\"}]");

    @TempDir
    Path dir;

    @Test
    void aFleetFileIsReadInParallelIntoWhatTheStreamingReaderReads() throws IOException {
        Path file = dir.resolve("fleet.json");
        try (OutputStream out = Files.newOutputStream(file)) {
            new FleetData(3000, 20, Instant.parse("2026-12-01T00:00:00Z")).write(out);
        }
        Outcome streaming = assertSame(file, true);
        assertEquals(3000, streaming.records().size());
    }

    @Test
    void aFileOfOurWriterIsReadInParallelIntoWhatTheStreamingReaderReads() throws IOException {
        List<StatusRecord> records = new ArrayList<>();
        for (int i = 0; i < 2000; i++) { // more than one block, so that several threads take part
            records.add(new StatusRecord("g" + i % 7, "host-" + i, "p", "repo", "type", i % 3 == 0 ? null : "prod",
                    i % 5 == 0 ? "out_of_sync" : "synced", i % 5 == 0 ? List.of("/etc/f" + i) : List.of(), "passed",
                    "message \"" + i + "\" caf\u00e9\n" + "x".repeat(i % 300), "abc" + i, "main", "ci",
                    i % 4 == 0 ? Map.of() : Map.of("rack", "r" + i % 9), "2026-01-02T03:04:05Z", null,
                    "2026-01-02T03:04:05.123Z", i % 2 == 0 ? null : "token",
                    List.of(new Transition("2026-01-01T00:00:0" + i % 10 + "Z", null, "synced", "pipeline", "abc" + i, 0),
                            new Transition("odd " + i, "synced", "weird", "cron", null, i))));
        }
        Path file = dir.resolve("ours.json");
        try (OutputStream out = Files.newOutputStream(file)) {
            StoreFormat.write(records, new StoreFormat.Folded("6f1c2d3e-aaaa-bbbb-cccc-0123456789ab", 12345), out);
        }
        Outcome streaming = assertSame(file, true);
        assertEquals(records.stream().sorted(StatusRecord.ORDER).toList(), streaming.records());
        assertEquals(new StoreFormat.Folded("6f1c2d3e-aaaa-bbbb-cccc-0123456789ab", 12345), streaming.folded());
    }

    @Test
    void plainRecordsAreReadInParallelAsDatabindReadsThem() throws IOException {
        for (String record : PLAIN) {
            assertSame(fileAround(record), true);
        }
    }

    @Test
    void unusualOrDamagedRecordsAreLeftToTheStreamingReader() throws IOException {
        for (String record : UNUSUAL) {
            assertSame(fileAround(record), false);
        }
    }

    @Test
    void filesOfOtherLayoutsAndDamagedFilesGiveWhatTheStreamingReaderGives() throws IOException {
        for (String text : ODD_FILES) {
            Path file = dir.resolve("odd.json");
            Files.writeString(file, text);
            assertSame(file, null);
        }
    }

    @Test
    void aMissingFileHasNoRecords() throws IOException, StoreFormat.DamagedFileException {
        List<StatusRecord> records = new ArrayList<>();
        assertEquals(new StoreFormat.Contents(null, false), StoreFormat.read(dir.resolve("none.json"), records::add));
        assertEquals(List.of(), records);
    }

    /** A file of our layout: a good record, {@code record} with its own key, another good record. */
    private Path fileAround(String record) throws IOException {
        Path file = dir.resolve("around.json");
        Files.writeString(file, HEADER + "\n\"g/a\":" + FULL.replace("\"h1\"", "\"a\"") + ",\n\"g/odd\":" + record
                + ",\n\"g/z\": " + FULL.replace("\"h1\"", "\"z\"") + "\n}}\n");
        return file;
    }

    /**
     * Reads the file both ways and asserts the same outcome, and that whatever the parallel reader
     * alone takes is exactly that; {@code parallel} (unless {@code null}) says whether it must
     * take the file. Returns the streaming reader's outcome.
     */
    private static Outcome assertSame(Path file, Boolean parallel) throws IOException {
        String text = Files.readString(file);
        String what = text.length() > 300 ? text.substring(0, 300) + "..." : text;
        Outcome streaming = Outcome.of(each -> StoreFormat.readStreaming(Files.newInputStream(file), each));
        Outcome either = Outcome.of(each -> StoreFormat.read(file, each));
        assertEquals(streaming, either, what);
        StoreFormat.Loaded loaded;
        try (FileChannel channel = FileChannel.open(file)) {
            loaded = ParallelLoad.read(channel);
        }
        if (loaded != null) {
            assertNull(streaming.damage(), what);
            assertEquals(streaming, new Outcome(loaded.folded(), false, loaded.records(), null), what);
        }
        if (parallel != null) {
            assertEquals(parallel, loaded != null, "taken by the parallel reader: " + what);
        }
        return streaming;
    }

    interface Reading {
        StoreFormat.Contents read(java.util.function.Consumer<StatusRecord> each)
                throws IOException, StoreFormat.DamagedFileException;
    }

    /** What a reading gave: contents and records, or the damage found (records handed out before it are dropped). */
    record Outcome(StoreFormat.Folded folded, boolean isV1, List<StatusRecord> records, String damage) {
        static Outcome of(Reading reading) throws IOException {
            List<StatusRecord> records = new ArrayList<>();
            try {
                StoreFormat.Contents contents = reading.read(records::add);
                return new Outcome(contents.folded(), contents.isV1(), records, null);
            } catch (StoreFormat.DamagedFileException e) {
                assertNotNull(e.getMessage());
                return new Outcome(null, false, null, e.getMessage());
            }
        }
    }

    @Test
    void theTestRecordsAreValidJsonWhereTheyShouldBe() throws IOException {
        for (String record : PLAIN) {
            assertTrue(Json.mapper().readTree(record).isObject(), record);
        }
    }
}
