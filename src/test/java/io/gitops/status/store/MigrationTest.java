package io.gitops.status.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gitops.status.api.StatusRecord;
import io.gitops.status.json.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MigrationTest {

    private static final String SYNCED = """
            {"repo": "rsyslog", "server": "rsyslog-lab", "sync_status": "SYNCED", "drift_count": 0,
             "files": [], "last_check": "2026-04-21T10:30:00Z"}""";
    private static final String DRIFTED = """
            {"repo": "rsyslog", "server": "rsyslog-lab2", "sync_status": "OUT_OF_SYNC", "drift_count": 2,
             "files": [{"name": "rsyslog.conf"}, {"name": "rsyslog.d/30-lab.conf"}],
             "last_check": "2026-04-21T10:32:15Z"}""";

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"single", "array", "mapping"})
    void v1DataIsConvertedAndTheOriginalKept(String shape) throws IOException {
        String v1 = switch (shape) {
            case "single" -> DRIFTED;
            case "array" -> "[" + SYNCED + ", " + DRIFTED + "]";
            default -> "{\"rsyslog-lab\": " + SYNCED + ", \"rsyslog-lab2\": " + DRIFTED + "}";
        };
        Path file = dir.resolve("status.json");
        byte[] original = v1.getBytes(StandardCharsets.UTF_8);
        Files.write(file, original);

        try (FileStatusStore store = new FileStatusStore(file)) {
            StatusRecord drifted = store.find("rsyslog", "rsyslog-lab2").orElseThrow();
            assertEquals("out_of_sync", drifted.status());
            assertEquals(List.of("rsyslog.conf", "rsyslog.d/30-lab.conf"), drifted.changedFiles());
            assertEquals("rsyslog", drifted.repoName());
            assertEquals("2026-04-21T10:32:15Z", drifted.lastCronCheck());
            assertEquals("legacy-api", drifted.updatedBy());
            assertNull(drifted.commitSha());
            assertEquals(shape.equals("single") ? 1 : 2, store.all().size());
        }
        assertArrayEquals(original, Files.readAllBytes(dir.resolve("status.json.v1.bak")));
        assertEquals("2.0", Json.mapper().readTree(file.toFile()).get("version").textValue());
    }

    @Test
    void anExistingBackupIsNeverOverwritten() throws IOException {
        Path file = dir.resolve("status.json");
        Path backup = dir.resolve("status.json.v1.bak");
        Files.writeString(backup, "an earlier backup");
        Files.writeString(file, SYNCED);
        try (FileStatusStore store = new FileStatusStore(file)) {
            assertEquals(1, store.all().size());
        }
        assertEquals("an earlier backup", Files.readString(backup));
        assertEquals(SYNCED, Files.readString(dir.resolve("status.json.v1.bak.1")));
    }

    @Test
    void v1DataThatCannotBeConvertedIsLeftUntouched() throws IOException {
        Path file = dir.resolve("status.json");
        String bad = SYNCED.replace("SYNCED", "MAYBE");
        Files.writeString(file, bad);
        try (FileStatusStore store = new FileStatusStore(file)) {
            assertTrue(!store.readiness().ready());
            assertTrue(store.readiness().reason().contains("sync_status"), store.readiness().reason());
        }
        assertEquals(bad, Files.readString(file));
        assertTrue(Files.notExists(dir.resolve("status.json.v1.bak")));
    }
}
