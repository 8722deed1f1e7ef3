package io.gitops.status.store.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Commits whose outcome is known before anyone is answered. When the connection breaks during
 * {@code COMMIT} (the server restarted, the backend was terminated), the transaction may or may
 * not have committed. It is looked up on a new connection, until the server can say:
 * <ol>
 * <li>first by its transaction id, taken at its start, with {@code pg_xact_status}, only to wait
 * while that id still runs (the COMMIT may yet arrive and take effect);</li>
 * <li>then by the token that the batch wrote with its revision ({@link Rows#publish}): committed
 * if and only if that row holds it.</li>
 * </ol>
 * The id alone cannot say committed: a server that crashed before the transaction's id reached
 * its WAL hands the same id to another transaction after the restart, and {@code pg_xact_status}
 * then answers for that one. Only if the server stays away for {@value #RESOLVE_SECONDS} seconds
 * does the outcome remain unknown; the writes are then answered 503 and a client that retries
 * writes the same state again.
 */
final class Commits {

    private static final Logger LOG = Logger.getLogger(Commits.class.getName());
    static final int RESOLVE_SECONDS = 20;
    /** pg_xact_status's answer for an id the server has not handed out (yet, or again after a crash). */
    private static final String INVALID_PARAMETER_VALUE = "22023";

    private Commits() {
    }

    /**
     * Commits, or throws when the transaction did not commit (or cannot be found to have).
     *
     * @param transactionId the transaction's id ({@code pg_current_xact_id()})
     * @param revision the revision the transaction writes, with {@code token}, into {@code batches}
     */
    static void commit(Database database, Connection c, String transactionId, long revision, UUID token)
            throws SQLException {
        try {
            c.commit();
        } catch (SQLException e) {
            if (!committedAfterAll(database, transactionId, revision, token, e)) {
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

    private static boolean committedAfterAll(Database database, String transactionId, long revision, UUID token,
            SQLException failure) throws SQLException {
        long deadline = System.nanoTime() + RESOLVE_SECONDS * 1_000_000_000L;
        SQLException last = failure;
        while (System.nanoTime() < deadline) {
            try (Connection c = database.connection()) {
                try {
                    if (!stillRuns(c, transactionId)) {
                        return token.equals(Rows.batchToken(c, revision));
                    }
                } finally {
                    rollbackQuietly(c);
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

    /** Whether {@code transactionId} is a transaction still running: ours, whose COMMIT may yet take effect. */
    private static boolean stillRuns(Connection c, String transactionId) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT pg_xact_status(?::xid8)")) {
            s.setString(1, transactionId);
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return "in progress".equals(r.getString(1));
            }
        } catch (SQLException e) {
            if (INVALID_PARAMETER_VALUE.equals(e.getSQLState())) {
                // "transaction ID ... is in the future": the server restarted and lost the id with the
                // transaction, which therefore does not run
                rollbackQuietly(c);
                return false;
            }
            throw e;
        }
    }
}
