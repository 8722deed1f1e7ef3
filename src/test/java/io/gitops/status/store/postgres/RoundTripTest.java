package io.gitops.status.store.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gitops.status.TestPostgres;
import io.gitops.status.api.StatusRecord;
import io.gitops.status.config.AppConfig;
import io.gitops.status.store.FileStatusStore;
import io.gitops.status.store.FleetDataAccess;
import io.gitops.status.store.StatusStore;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Moving in and out: a data file imported into PostgreSQL and exported again is the same store,
 * history included, and the export is a data file a file store opens as it is.
 */
class RoundTripTest {

    private static final int HOSTS = 2_000;
    private static final int HISTORY = 20;

    private static TestPostgres.Database database;

    @TempDir
    Path folder;

    @BeforeAll
    static void createDatabase() {
        database = TestPostgres.database(RoundTripTest.class.getSimpleName());
    }

    @AfterAll
    static void dropDatabase() {
        database.drop();
    }

    @Test
    void aFleetFileGoesThroughPostgresqlAndComesBackEqual() throws Exception {
        Path original = folder.resolve("original/status.json");
        FleetDataAccess.write(HOSTS, HISTORY, original);
        List<StatusRecord> expected;
        try (FileStatusStore file = new FileStatusStore(copy(original, "reference"))) {
            expected = file.all();
        }
        assertEquals(HOSTS, expected.size());
        assertTrue(expected.stream().allMatch(r -> r.history().size() == HISTORY), "every host has its history");

        Path exported = folder.resolve("exported/status.json");
        Files.createDirectories(exported.getParent());
        try (PostgresStatusStore postgres = open(original)) {
            assertEquals(expected.stream().map(RecordJson::withoutHistory).toList(), postgres.all(),
                    "the replica holds every record, without history in memory");
            StatusRecord some = expected.get(HOSTS / 2);
            assertEquals(some.history(), postgres.history(some, HISTORY), "history read from the database");
            try (OutputStream out = Files.newOutputStream(exported)) {
                postgres.export(out);
            }
        }
        try (StatusStore back = new FileStatusStore(exported)) {
            assertEquals(expected, back.all(), "file -> PostgreSQL -> export -> file store: equal, history included");
        }
    }

    @Test
    void aV1FileIsImportedAsTheFileStoreMigratesIt() throws Exception {
        Path v1 = folder.resolve("v1/status.json");
        Files.createDirectories(v1.getParent());
        Files.writeString(v1, """
                [{"repo": "rsyslog", "server": "log-01", "sync_status": "synced", "commit": "abc1234",
                  "timestamp": "2026-04-26T10:00:00Z"},
                 {"repo": "rsyslog", "server": "log-02", "sync_status": "out_of_sync", "commit": "abc1234",
                  "timestamp": "2026-04-26T10:05:00Z"}]
                """);
        List<StatusRecord> expected;
        try (FileStatusStore file = new FileStatusStore(copy(v1, "reference"))) {
            expected = file.all();
        }
        assertEquals(2, expected.size());
        try (PostgresStatusStore postgres = open(v1)) {
            assertEquals(timeless(expected), timeless(postgres.all()));
        }
    }

    /** The records with the times the v1 mapping takes from the clock left out. */
    private static List<String> timeless(List<StatusRecord> records) {
        return records.stream().map(r -> r.toString().replaceAll("\\d{4}-\\d{2}-\\d{2}T[0-9:]+Z", "<now>")).toList();
    }

    /** A store on a fresh database that imports {@code file}; the previous test's data is gone. */
    private PostgresStatusStore open(Path file) throws Exception {
        try (var c = database.connect(); var s = c.createStatement()) {
            s.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public");
        }
        PostgresStatusStore store = new PostgresStatusStore(AppConfig.Database.at(database.jdbcUrl())
                .withImportFile(file), 1_000_000, HISTORY);
        assertTrue(store.awaitLoaded(60_000), "loaded: " + store.readiness().reason());
        return store;
    }

    private Path copy(Path file, String folderName) throws Exception {
        Path copy = folder.resolve(folderName).resolve(file.getFileName());
        Files.createDirectories(copy.getParent());
        return Files.copy(file, copy);
    }
}
