package io.gitops.status.store.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.gitops.status.TestPostgres;
import io.gitops.status.config.AppConfig;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The store's connections as the pool hands them out. */
class DatabaseTest {

    /**
     * Every connection, the pool's new ones included, comes outside any transaction, so that a
     * reader may choose its isolation, and with {@code synchronous_commit} on for good, even where
     * the server's default is off and its first transaction is rolled back.
     */
    @Test
    void everyConnectionStartsOutsideATransactionWithSynchronousCommitOnForGood() throws SQLException {
        try (TestPostgres.Database db = TestPostgres.database("DatabaseTest")) {
            try (Connection c = db.connect(); Statement s = c.createStatement()) {
                s.execute("ALTER DATABASE " + db.name() + " SET synchronous_commit = off");
            }
            try (Database database = new Database(AppConfig.Database.at(db.jdbcUrl()))) {
                List<Connection> all = new ArrayList<>();
                try {
                    for (int i = 0; i < 10; i++) { // the pool's size: ten new connections
                        Connection c = database.connection();
                        all.add(c);
                        c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
                        c.setReadOnly(true);
                        assertEquals("on", synchronousCommit(c));
                        c.rollback();
                        assertEquals("on", synchronousCommit(c), "after a rollback");
                        c.rollback();
                    }
                } finally {
                    for (Connection c : all) {
                        c.close();
                    }
                }
            }
        }
    }

    private static String synchronousCommit(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SHOW synchronous_commit")) {
            r.next();
            return r.getString(1);
        }
    }
}
