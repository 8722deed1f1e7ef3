package io.gitops.status.store.postgres;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gitops.status.TestPostgres;
import io.gitops.status.config.AppConfig;
import io.gitops.status.store.SharedDocument;
import io.gitops.status.store.StoreUnavailableException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * The lease of a {@link PostgresDocument}, which picks the one replica sending notifications: two
 * pools on one database are two replicas. One holder at a time; the last write is what every
 * replica reads; a lease closed, or whose session the server ended, can be taken by another; and
 * a holder that lost its session knows it ({@code held()} false) and can write nothing more.
 */
class PostgresDocumentTest {

    private static TestPostgres.Database db;

    private final List<Database> pools = new ArrayList<>();
    private Database a;
    private Database b;
    /** A document of this test's own, so that no test sees another's lock or row. */
    private String name;

    @BeforeAll
    static void createDatabase() {
        db = TestPostgres.database(PostgresDocumentTest.class.getSimpleName());
        try (Database database = new Database(AppConfig.Database.at(db.jdbcUrl()))) {
            database.migrate();
        }
    }

    @AfterAll
    static void dropDatabase() {
        if (db != null) {
            db.drop();
        }
    }

    @BeforeEach
    void twoReplicas(TestInfo test) {
        a = pool();
        b = pool();
        name = "doc-" + test.getTestMethod().orElseThrow().getName();
    }

    @AfterEach
    void closePools() {
        pools.forEach(Database::close);
    }

    private Database pool() {
        Database database = new Database(AppConfig.Database.at(db.jdbcUrl()));
        pools.add(database);
        return database;
    }

    @Test
    void oneLeaseAtATime() throws Exception {
        PostgresDocument onA = new PostgresDocument(a, name);
        PostgresDocument onB = new PostgresDocument(b, name);
        try (SharedDocument.Lease lease = onA.tryLease().orElseThrow()) {
            assertTrue(lease.held());
            assertEquals(Optional.empty(), onB.tryLease(), "another replica");
            assertEquals(Optional.empty(), onA.tryLease(), "another session of the same replica");
            assertEquals(Optional.empty(), new PostgresDocument(a, name).tryLease(), "another application of this JVM");
            assertTrue(lease.held(), "refusing others leaves the holder's lease");
            assertTrue(new PostgresDocument(b, "another-document").tryLease().isPresent(), "one lease per document");
        }
        try (SharedDocument.Lease next = awaitLease(onB)) {
            assertTrue(next.held(), "after close, another replica takes it");
            assertEquals(Optional.empty(), onA.tryLease());
        }
    }

    @Test
    void readSeesTheLastWriteAndAClosedLeaseWritesNothing() throws Exception {
        PostgresDocument onA = new PostgresDocument(a, name);
        PostgresDocument onB = new PostgresDocument(b, name);
        assertEquals(Optional.empty(), onB.read(), "never written");
        SharedDocument.Lease lease = onA.tryLease().orElseThrow();
        lease.write(bytes("one"));
        assertArrayEquals(bytes("one"), onB.read().orElseThrow());
        lease.write(bytes("two"));
        assertArrayEquals(bytes("two"), onB.read().orElseThrow());
        assertArrayEquals(bytes("two"), onA.read().orElseThrow());
        lease.close();
        assertFalse(lease.held());
        assertThrows(StoreUnavailableException.class, () -> lease.write(bytes("late")));
        try (SharedDocument.Lease next = awaitLease(onB)) {
            assertArrayEquals(bytes("two"), onB.read().orElseThrow(), "the next holder reads where the last stopped");
            next.write(bytes("three"));
        }
        assertArrayEquals(bytes("three"), onA.read().orElseThrow());
    }

    /**
     * The holder's session ended by the server (pg_terminate_backend, as a failover or an admin
     * would): the lock goes with it, the holder learns it has lost the lease, another replica takes
     * it, and nothing the old holder writes afterwards lands.
     */
    @Test
    void aHolderWhoseBackendIsTerminatedLosesTheLeaseAndWritesNothingMore() throws Exception {
        PostgresDocument onA = new PostgresDocument(a, name);
        PostgresDocument onB = new PostgresDocument(b, name);
        SharedDocument.Lease lost = onA.tryLease().orElseThrow();
        lost.write(bytes("one"));
        int holder = holderPid();

        assertTrue(terminate(holder), "terminated the holder's backend " + holder);
        awaitTrue(() -> !lost.held(), "the holder sees it lost the lease");
        assertThrows(StoreUnavailableException.class, () -> lost.write(bytes("two")), "a lost lease writes nothing");
        assertArrayEquals(bytes("one"), onB.read().orElseThrow());

        SharedDocument.Lease taken = awaitLease(onB);
        assertTrue(taken.held());
        assertTrue(holderPid() != holder, "a new session holds it");
        assertArrayEquals(bytes("one"), onB.read().orElseThrow(), "the new holder reads the last write");
        taken.write(bytes("three"));
        assertThrows(StoreUnavailableException.class, () -> lost.write(bytes("late")));
        assertFalse(lost.held());
        assertArrayEquals(bytes("three"), onA.read().orElseThrow(), "the lost lease's writes never landed");
        assertEquals(Optional.empty(), onA.tryLease(), "the old holder cannot take it back while held");

        lost.close(); // as the notifier does once it sees held() false; must not disturb the new holder
        assertTrue(taken.held());
        assertEquals(Optional.empty(), onA.tryLease());
        taken.close();
        try (SharedDocument.Lease again = awaitLease(onA)) {
            assertTrue(again.held(), "the old replica takes it once free");
        }
    }

    /** The backend holding the document's advisory lock, found in pg_locks (its key: hashtext of the name). */
    private int holderPid() throws SQLException {
        try (Connection c = db.connect(); PreparedStatement s = c.prepareStatement("SELECT l.pid FROM pg_locks l"
                + " JOIN pg_database d ON d.oid = l.database WHERE l.locktype = 'advisory' AND l.granted"
                + " AND d.datname = ? AND ((l.classid::bigint << 32) | l.objid::bigint) = hashtext(?)::bigint")) {
            s.setString(1, db.name());
            s.setString(2, "gitops-status:document:" + name);
            try (ResultSet r = s.executeQuery()) {
                assertTrue(r.next(), "a backend holds the lock of " + name);
                int pid = r.getInt(1);
                assertFalse(r.next(), "one backend holds it");
                return pid;
            }
        }
    }

    private boolean terminate(int pid) throws SQLException {
        try (Connection c = db.connect(); PreparedStatement s = c.prepareStatement("SELECT pg_terminate_backend(?)")) {
            s.setInt(1, pid);
            try (ResultSet r = s.executeQuery()) {
                return r.next() && r.getBoolean(1);
            }
        }
    }

    /**
     * The lock is free once the holder's session has ended: a moment after its backend was
     * signalled, or after close (the pool closes an evicted connection on a thread of its own).
     */
    private static SharedDocument.Lease awaitLease(PostgresDocument document) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            Optional<SharedDocument.Lease> lease = document.tryLease();
            if (lease.isPresent()) {
                return lease.get();
            }
            assertTrue(System.nanoTime() < deadline, "the lease was not free within 10 s");
            Thread.sleep(50);
        }
    }

    private static void awaitTrue(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, what + ": not within 10 s");
            Thread.sleep(50);
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
