package io.gitops.status.store.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gitops.status.TestPostgres;
import io.gitops.status.api.StatusRecord;
import io.gitops.status.config.AppConfig;
import io.gitops.status.store.DataFile;
import io.gitops.status.store.FleetData;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** importFile into an empty PostgreSQL store: more rows than one JDBC batch chunk ({@link Rows#CHUNK_ROWS}). */
class ImportTest {

    private static TestPostgres.Database database;

    @BeforeAll
    static void createDatabase() {
        database = TestPostgres.database(ImportTest.class.getSimpleName());
    }

    @AfterAll
    static void dropDatabase() {
        database.drop();
    }

    @Test
    void importsEveryHostAndTransitionAcrossChunks(@TempDir Path dir) throws Exception {
        int hosts = 151; // 3,020 transitions: three full chunks and a part
        Path file = dir.resolve("status.json");
        FleetData.main(new String[] {Integer.toString(hosts), "20", file.toString()});
        List<StatusRecord> expected = List.copyOf(DataFile.read(file));
        assertTrue(hosts * 20 > 3 * Rows.CHUNK_ROWS);

        try (PostgresStatusStore store = new PostgresStatusStore(
                new AppConfig.Database(database.jdbcUrl(), "test", Optional.empty(), Optional.of(file)), 1_000_000, 20)) {
            assertTrue(store.awaitLoaded(60_000), "the store did not load");
            assertEquals(hosts, store.all().size());
            for (StatusRecord record : expected) {
                assertEquals(record.history(), store.history(record, 20), record.key());
            }
        }
        try (Connection c = database.connect(); Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT count(*), count(DISTINCT (server_group, host)) FROM transitions")) {
            r.next();
            assertEquals(hosts * 20L, r.getLong(1));
            assertEquals(hosts, r.getInt(2));
        }
    }
}
