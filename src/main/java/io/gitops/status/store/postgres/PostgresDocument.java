package io.gitops.status.store.postgres;

import io.gitops.status.store.SharedDocument;
import io.gitops.status.store.StoreUnavailableException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;

/**
 * A {@link SharedDocument} as a row of {@code shared_documents}. The lease is a session advisory
 * lock named after the document, on a connection kept out of the pool while held; the document is
 * written through that same connection, so a holder whose session ended (and so lost the lock to
 * another replica) can no longer write.
 */
final class PostgresDocument implements SharedDocument {

    private final Database database;
    private final String name;

    PostgresDocument(Database database, String name) {
        this.database = database;
        this.name = name;
    }

    @Override
    public Optional<byte[]> read() {
        try (Connection c = database.connection();
                PreparedStatement s = c.prepareStatement("SELECT body FROM shared_documents WHERE name = ?")) {
            s.setString(1, name);
            try (ResultSet r = s.executeQuery()) {
                Optional<byte[]> body = r.next() ? Optional.of(r.getBytes(1)) : Optional.empty();
                c.commit();
                return body;
            }
        } catch (SQLException e) {
            throw unavailable("cannot read", e);
        }
    }

    @Override
    public Optional<Lease> tryLease() {
        Connection c = null;
        try {
            c = database.connection();
            c.setAutoCommit(true);
            try (Statement s = c.createStatement()) {
                // The server's keepalives on this session: a holder whose machine or network vanished
                // loses the lock within about half a minute, not after the system's two hours.
                s.execute("SET tcp_keepalives_idle = 10; SET tcp_keepalives_interval = 5; SET tcp_keepalives_count = 3");
            }
            if (!Follower.advisory(c, "pg_try_advisory_lock", "document:" + name)) {
                c.close();
                return Optional.empty();
            }
            return Optional.of(new Held(c));
        } catch (SQLException e) {
            if (c != null) {
                database.discard(c);
            }
            throw unavailable("cannot lock", e);
        }
    }

    private StoreUnavailableException unavailable(String what, SQLException e) {
        return new StoreUnavailableException(what + " the document " + name + " in " + database.displayUrl() + ": "
                + Database.describe(e));
    }

    private final class Held implements Lease {
        private final Connection connection;
        private volatile boolean closed;

        Held(Connection connection) {
            this.connection = connection;
        }

        @Override
        public void write(byte[] document) {
            if (closed) {
                throw new StoreUnavailableException("the lease on the document " + name + " is closed");
            }
            try (PreparedStatement s = connection.prepareStatement("INSERT INTO shared_documents (name, body)"
                    + " VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET body = excluded.body, written_at = now()")) {
                s.setString(1, name);
                s.setBytes(2, document);
                s.executeUpdate();
            } catch (SQLException e) {
                throw unavailable("cannot write", e);
            }
        }

        @Override
        public boolean held() {
            try {
                return !closed && connection.isValid(2);
            } catch (SQLException e) {
                return false;
            }
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                // never back to the pool: its session holds the lock (ending the session releases it)
                database.discard(connection);
            }
        }
    }
}
