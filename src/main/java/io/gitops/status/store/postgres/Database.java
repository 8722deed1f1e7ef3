package io.gitops.status.store.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.gitops.status.config.AppConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.SQLException;
import org.flywaydb.core.Flyway;

/**
 * The connection pool (HikariCP) to the store's database and its schema (Flyway, the migrations in
 * {@code db/migration}). Every connection commits durably ({@code synchronous_commit = on}
 * whatever the server's default) and hands out in a transaction (auto-commit off).
 *
 * <p>The pool opens no connection at construction, so a service whose database is not up yet
 * still starts; {@link #migrate()} is retried by the store until it succeeds. Flyway holds a
 * PostgreSQL advisory lock while migrating, so replicas starting together migrate once.
 */
final class Database implements AutoCloseable {

    /** How long a write waits for a connection before it is answered 503, the database being away. */
    private static final long CONNECTION_TIMEOUT_MS = 2_000;

    private final HikariDataSource pool;
    private final String displayUrl;

    Database(AppConfig.Database settings) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("gitops-status");
        config.setJdbcUrl(settings.url());
        settings.passwordFile().ifPresent(file -> config.setPassword(firstLine(file)));
        config.setAutoCommit(false);
        config.setMaximumPoolSize(10);
        config.setConnectionTimeout(CONNECTION_TIMEOUT_MS);
        config.setValidationTimeout(1_000);
        config.setInitializationFailTimeout(-1);
        config.setConnectionInitSql("SET synchronous_commit = on");
        // Hikari runs the init SQL after turning auto-commit off and commits it only with this set:
        // without it every new connection is handed out idle in a transaction that holds the SET, so
        // that the first borrower's rollback undoes it and setTransactionIsolation refuses to run
        config.setIsolateInternalQueries(true);
        config.addDataSourceProperty("ApplicationName", "gitops-status");
        config.addDataSourceProperty("tcpKeepAlive", "true");
        // a server that stops answering mid-statement fails the write instead of holding it forever
        config.addDataSourceProperty("socketTimeout", "30");
        config.addDataSourceProperty("connectTimeout", "5");
        config.addDataSourceProperty("reWriteBatchedInserts", "true");
        this.pool = new HikariDataSource(config);
        this.displayUrl = redact(settings.url());
    }

    Connection connection() throws SQLException {
        return pool.getConnection();
    }

    /** The URL as logs, {@code /ready} and {@code GET /} show it: without user or password. */
    String displayUrl() {
        return displayUrl;
    }

    /**
     * Closes {@code c} for good instead of handing it back to the pool: for a connection whose state
     * the pool cannot see, such as the one that LISTENs, whose failures reach the driver's own API
     * and not the pool, which would otherwise hand it out again, broken or still listening.
     */
    void discard(Connection c) {
        pool.evictConnection(c);
    }

    /** Brings the schema to the newest version; replicas racing here migrate once. */
    void migrate() {
        Flyway.configure(Database.class.getClassLoader())
                .dataSource(pool)
                .locations("classpath:db/migration")
                .table("gitops_status_schema_history")
                .load()
                .migrate();
    }

    @Override
    public void close() {
        pool.close();
    }

    /** The URL without credentials: user and password, as query parameters or before the host. */
    static String redact(String url) {
        String redacted = url.replaceAll("(?i)([?&])(password|user)=[^&]*", "$1")
                .replaceAll("[?&]+$", "")
                .replaceAll("\\?&+", "?")
                .replaceAll("&&+", "&");
        return redacted.replaceFirst("//[^/@?]*@", "//");
    }

    private static String firstLine(java.nio.file.Path file) {
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8);
            int end = text.indexOf('\n');
            return (end < 0 ? text : text.substring(0, end)).strip();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the store's password file " + file, e);
        }
    }
}
