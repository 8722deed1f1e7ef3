package io.gitops.status.store.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Commits whose outcome is known before anyone is answered. When the connection breaks during
 * {@code COMMIT} (the server restarted, the backend was terminated), the transaction may or may
 * not have committed; its id, taken at its start, is looked up with {@code pg_xact_status} on a
 * new connection until the server can say: committed is success, anything else a failure. Only if
 * the server stays away for {@value #RESOLVE_SECONDS} seconds does the outcome remain unknown; the
 * writes are then answered 503 and a client that retries writes the same state again.
 */
final class Commits {

    private static final Logger LOG = Logger.getLogger(Commits.class.getName());
    static final int RESOLVE_SECONDS = 20;

    private Commits() {
    }

    /** Commits, or throws when the transaction did not commit (or cannot be found to have). */
    static void commit(Database database, Connection c, String transactionId) throws SQLException {
        try {
            c.commit();
        } catch (SQLException e) {
            if (!committedAfterAll(database, transactionId, e)) {
                throw e;
            }
            LOG.info("the commit of transaction " + transactionId + " was answered with an error (" + e.getMessage()
                    + ") but took effect; its writes are acknowledged");
        }
    }

    static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException e) {
            LOG.log(Level.FINE, "rollback failed; the broken connection ends the transaction", e);
        }
    }

    private static boolean committedAfterAll(Database database, String transactionId, SQLException failure)
            throws SQLException {
        long deadline = System.nanoTime() + RESOLVE_SECONDS * 1_000_000_000L;
        SQLException last = failure;
        while (System.nanoTime() < deadline) {
            try (Connection c = database.connection();
                    PreparedStatement s = c.prepareStatement("SELECT pg_xact_status(?::xid8)")) {
                s.setString(1, transactionId);
                String status;
                try (ResultSet r = s.executeQuery()) {
                    r.next();
                    status = r.getString(1);
                }
                c.rollback();
                if (!"in progress".equals(status)) {
                    return "committed".equals(status);
                }
            } catch (SQLException e) {
                last = e;
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new SQLException("the outcome of the commit is unknown: " + last.getMessage(), last);
    }
}
