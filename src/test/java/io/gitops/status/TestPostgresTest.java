package io.gitops.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

class TestPostgresTest {

    @Test
    void twoDatabasesForOneOwnerAreSeparate() throws SQLException {
        try (TestPostgres.Database a = TestPostgres.database("TestPostgresTest");
                TestPostgres.Database b = TestPostgres.database("TestPostgresTest")) {
            assertNotEquals(a.name(), b.name());
            assertTrue(a.name().startsWith("gitops_test_testpostgrestest_"), a.name());
            try (Connection ca = a.connect(); Connection cb = b.connect();
                    Statement sa = ca.createStatement(); Statement sb = cb.createStatement()) {
                sa.execute("CREATE TABLE only_in_a (id int)");
                sa.execute("INSERT INTO only_in_a VALUES (1)");
                assertTrue(tableExists(ca, "only_in_a"));
                assertFalse(tableExists(cb, "only_in_a"));
                sb.execute("CREATE TABLE only_in_b (id int)"); // b is usable too
                assertEquals(a.name(), currentDatabase(ca));
                assertEquals(b.name(), currentDatabase(cb));
            }
        }
    }

    @Test
    void dropRemovesTheDatabaseEvenWithAnOpenConnection() throws SQLException {
        try (TestPostgres.Database witness = TestPostgres.database("witness")) {
            TestPostgres.Database doomed = TestPostgres.database("doomed");
            try (Connection open = doomed.connect(); Connection w = witness.connect()) {
                assertTrue(listed(w, doomed.name()));
                doomed.drop();
                assertFalse(listed(w, doomed.name()));
                assertFalse(open.isValid(2), "the open connection was terminated");
            }
            doomed.drop(); // a second drop (as close() after drop()) does nothing
        }
    }

    @Test
    void longOwnerNamesAreCutToPostgresLimit() {
        try (TestPostgres.Database db = TestPostgres.database("io.gitops.status.Some-Very-Long-Test-Class-Name-That-Goes-On-And-On")) {
            assertTrue(db.name().length() <= 63, db.name());
            assertTrue(db.name().matches("gitops_test_io_gitops_status_some_very_[a-z0-9_]*_[0-9a-f]{8}"), db.name());
        }
    }

    @Test
    void urlCarriesNoPasswordWhenTheAdminUrlHadNone() {
        // the server of this run (the local one has no password), and the URL building on its own
        try (TestPostgres.Database db = TestPostgres.database("nopassword")) {
            if (db.password() == null) {
                assertFalse(db.jdbcUrl().contains("password="), db.jdbcUrl());
            }
            assertTrue(db.jdbcUrl().contains("user=" + db.user()), db.jdbcUrl());
            assertFalse(db.toString().contains("password="));
        }
        assertEquals("jdbc:postgresql://h:5433/newdb?user=u&ssl=false",
                TestPostgres.databaseUrl("jdbc:postgresql://h:5433/admin?user=u&ssl=false", "newdb", "u"));
        assertEquals("jdbc:postgresql://h/newdb?user=u%40x",
                TestPostgres.databaseUrl("jdbc:postgresql://h/", "newdb", "u@x"));
        assertEquals("jdbc:postgresql://h:1/newdb?password=p&user=u",
                TestPostgres.databaseUrl("jdbc:postgresql://h:1/?password=p", "newdb", "u"));
        assertEquals("jdbc:postgresql:newdb?user=u", TestPostgres.databaseUrl("jdbc:postgresql:admin?user=u", "newdb", "u"));
        assertEquals("jdbc:postgresql://h:1,k:2/newdb?user=u&password=p%2Fq&x=/admin",
                TestPostgres.databaseUrl("jdbc:postgresql://h:1,k:2/admin?user=u&password=p%2Fq&x=/admin", "newdb", "u"));
    }

    @Test
    void badConfiguredUrlIsReportedWithTheSettingsName() {
        IllegalStateException env = assertThrows(IllegalStateException.class,
                () -> TestPostgres.configured("postgres://h/db?password=secret", null));
        assertTrue(env.getMessage().contains(TestPostgres.ENV), env.getMessage());
        assertFalse(env.getMessage().contains("secret"), env.getMessage());
        IllegalStateException property = assertThrows(IllegalStateException.class,
                () -> TestPostgres.configured(null, "jdbc:postgresql://h:notaport/db"));
        assertTrue(property.getMessage().contains(TestPostgres.PROPERTY), property.getMessage());
        assertNull(TestPostgres.configured(null, null));
        assertNull(TestPostgres.configured(" ", ""));
        assertEquals("h:5433", TestPostgres.configured("jdbc:postgresql://h:5433/db?user=u", null).hostPort());
        assertEquals("p:1", TestPostgres.configured("jdbc:postgresql://e:1/db", "jdbc:postgresql://p:1/db").hostPort());
    }

    private static boolean tableExists(Connection c, String table) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    private static String currentDatabase(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT current_database()")) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static boolean listed(Connection c, String database) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM pg_database WHERE datname = ?")) {
            ps.setString(1, database);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1) == 1;
            }
        }
    }
}
