package io.gitops.status.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.gitops.status.api.StatusRecord;
import io.gitops.status.api.Timestamps;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link DataFile#read}: what another store imports. */
class DataFileTest {

    @TempDir
    Path dir;

    @Test
    void aV2FileReadsRecordByRecordAsTheWholeTreeReadsIt() throws Exception {
        Path file = dir.resolve("status.json");
        try (OutputStream out = Files.newOutputStream(file)) {
            new FleetData(301, 20, Instant.parse("2026-12-01T00:00:00Z")).write(out);
        }
        Collection<StatusRecord> read = DataFile.read(file);
        Map<String, StatusRecord> whole = V1Migration.read(file, Timestamps.now());
        assertEquals(301, read.size());
        assertEquals(whole, read.stream().collect(Collectors.toMap(StatusRecord::key, Function.identity())));
        assertEquals(301 * 20, read.stream().mapToInt(r -> r.history().size()).sum());
    }

    @Test
    void aMissingFileIsStillAnError() {
        assertThrows(IOException.class, () -> DataFile.read(dir.resolve("missing.json")));
    }
}
