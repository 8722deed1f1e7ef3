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
        // Named, not looked up by URL: in a servlet container the driver sits in WEB-INF/lib, where
        // DriverManager (initialised by the container's class loader) finds no driver for the URL.
        config.setDriverClassName(org.postgresql.Driver.class.getName());
        settings.passwordFile().ifPresent(file -> config.setPassword(firstLine(file)));
        config.setAutoCommit(false);
        config.setMaximumPoolSize(10);
        config.setConnectionTimeout(CONNECTION_TIMEOUT_MS);
        config.setValidationTimeout(1_000);
        config.setInitializationFailTimeout(-1);
        config.setConnectionInitSql("SET synchronous_commit = on");
        // With auto-commit off, HikariCP runs the init SQL in a transaction that it commits only
        // when internal queries are isolated: else a new connection is handed out in a transaction
        // (a reader cannot set its isolation) and the first rollback undoes the SET.
        config.setIsolateInternalQueries(true);
        config.addDataSourceProperty("ApplicationName", "gitops-status");
        config.addDataSourceProperty("tcpKeepAlive", "true");
        // a server that stops answering mid-statement fails the write instead of holding it forever
        config.addDataSourceProperty("socketTimeout", "30");
        config.addDataSourceProperty("connectTimeout", "5");
        config.addDataSourceProperty("reWriteBatchedInserts", "true");
        this.pool = new HikariDataSource(config);
        this.displayUrl = settings.displayUrl();
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

    /**
     * A failure in one line: the innermost database error's message (Flyway and the pool wrap it in
     * longer text), else the failure's own.
     */
    static String describe(Throwable e) {
        String message = null;
        for (Throwable cause = e; cause != null; cause = cause.getCause()) { // the deepest one wins
            if (cause instanceof SQLException && cause.getMessage() != null) {
                message = cause.getMessage();
            }
        }
        if (message == null) {
            message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        }
        int end = message.indexOf('\n');
        return (end < 0 ? message : message.substring(0, end)).strip();
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
