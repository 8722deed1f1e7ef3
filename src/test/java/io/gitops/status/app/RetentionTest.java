package io.gitops.status.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.gitops.status.api.Refusal;
import io.gitops.status.api.StatusRecord;
import io.gitops.status.store.FileStatusStore;
import io.gitops.status.store.StatusStore;
import io.gitops.status.store.TestUpdates;
import io.gitops.status.update.Expiry;
import io.gitops.status.update.Update;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Retention} over a real {@link FileStatusStore}, with a fixed clock in 2001 (so that the
 * system clock, 25 years later, would remove everything): which hosts a sweep removes, that the
 * removal is durable and logged with each key, that a host that reported again between the
 * sweep's listing and its deletion stays ({@link Expiry} checks again under the store's lock),
 * and that {@link Retention#start()} sweeps at once.
 */
class RetentionTest {

    private static final Instant NOW = Instant.parse("2001-06-01T12:00:00Z");
    private static final Duration HOUR = Duration.ofHours(1);
    private static final Clock FIXED = Clock.fixed(NOW, ZoneOffset.UTC);

    @TempDir
    Path dir;

    private Path file;
    private FileStatusStore store;

    private final List<String> logged = Collections.synchronizedList(new ArrayList<>());
    private final Logger retentionLog = Logger.getLogger(Retention.class.getName());
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            logged.add(record.getMessage());
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void open() {
        file = dir.resolve("status.json");
        store = new FileStatusStore(file);
        retentionLog.addHandler(capture);
    }

    @AfterEach
    void close() {
        retentionLog.removeHandler(capture);
        store.close();
    }

    private static StatusRecord record(String group, String host, String lastPipelineRun, String lastCronCheck,
            String timestamp) {
        return new StatusRecord(group, host, null, null, null, null, "synced", List.of(), null, null, null, null,
                null, null, lastPipelineRun, lastCronCheck, timestamp);
    }

    private void put(StatusRecord record) {
        store.write(TestUpdates.storing(record));
    }

    private List<String> keys(StatusStore s) {
        return s.all().stream().map(StatusRecord::key).toList();
    }

    /** The fixture: which survive an hour's retention at 12:00 and which do not. */
    private void fleet() {
        put(record("g", "old", "2001-06-01T10:00:00Z", null, "2001-06-01T10:00:00Z"));
        put(record("g", "just-over", "2001-06-01T10:59:59.999Z", null, "2001-06-01T10:59:59.999Z"));
        put(record("g", "exactly-an-hour", "2001-06-01T11:00:00Z", null, "2001-06-01T11:00:00Z"));
        put(record("g", "fresh", "2001-06-01T11:59:59.5Z", null, "2001-06-01T11:59:59Z"));
        // Old pipeline run, recent drift check: last_seen is the check.
        put(record("g", "cron-fresh", "1999-01-01T00:00:00Z", "2001-06-01T11:30:00Z", "2001-06-01T11:30:00Z"));
        // Recent pipeline run, old drift check.
        put(record("g", "pipeline-fresh", "2001-06-01T11:30:00Z", "1999-01-01T00:00:00Z", "2001-06-01T11:30:00Z"));
        // Neither timestamp (an old data file): the record's timestamp decides.
        put(record("h", "untimed-old", null, null, "2001-06-01T09:00:00Z"));
        put(record("h", "untimed-fresh", null, null, "2001-06-01T11:45:00Z"));
        // Nothing that can be read as a time: kept.
        put(record("h", "undatable", "last tuesday", null, "soon"));
    }

    private static final List<String> EXPIRED = List.of("g/just-over", "g/old", "h/untimed-old");
    private static final List<String> KEPT = List.of("g/cron-fresh", "g/exactly-an-hour", "g/fresh",
            "g/pipeline-fresh", "h/undatable", "h/untimed-fresh");

    @Test
    void aSweepRemovesExactlyTheHostsNotSeenWithinThePeriod() {
        fleet();
        Retention retention = new Retention(store, HOUR, FIXED);
        assertEquals(EXPIRED, retention.sweep());
        assertEquals(KEPT, keys(store));
        // Durable: another store on the same files sees the same.
        try (FileStatusStore reopened = new FileStatusStore(file)) {
            assertEquals(KEPT, keys(reopened));
        }
        // Logged with each key.
        for (String key : EXPIRED) {
            assertTrue(logged.stream().anyMatch(m -> m.contains(key)), key + " not logged: " + logged);
        }
        for (String key : KEPT) {
            assertTrue(logged.stream().noneMatch(m -> m.contains(key + ",") || m.endsWith(key)),
                    key + " logged as removed: " + logged);
        }
        // Nothing more to remove at the same time.
        assertEquals(List.of(), retention.sweep());
        assertEquals(KEPT, keys(store));
    }

    @Test
    void theRetentionClockNotTheSystemClockDecides() {
        fleet();
        MutableClock clock = new MutableClock(NOW.minus(Duration.ofDays(365)));
        Retention retention = new Retention(store, HOUR, clock);
        assertEquals(List.of(), retention.sweep(), "a year earlier, nothing is an hour old");
        clock.instant = NOW.plus(Duration.ofMinutes(45));
        // Cutoff 11:45: everything seen before it goes; untimed-fresh at exactly 11:45 stays.
        assertEquals(List.of("g/cron-fresh", "g/exactly-an-hour", "g/just-over", "g/old", "g/pipeline-fresh",
                "h/untimed-old"), retention.sweep());
        assertEquals(List.of("g/fresh", "h/undatable", "h/untimed-fresh"), keys(store));
        // A longer period keeps more at the same time.
        put(record("g", "two-hours", "2001-06-01T10:30:00Z", null, "2001-06-01T10:30:00Z"));
        assertEquals(List.of(), new Retention(store, Duration.ofHours(3), clock).sweep());
        assertEquals(List.of("g/two-hours"), new Retention(store, Duration.ofHours(2), clock).sweep());
    }

    @Test
    void expiryChecksAgainAsTheStoreAppliesIt() {
        Instant cutoff = NOW.minus(HOUR);
        StatusRecord fresh = record("g", "h", "2001-06-01T11:30:00Z", null, "2001-06-01T11:30:00Z");
        StatusRecord old = record("g", "h", "2001-06-01T10:00:00Z", null, "2001-06-01T10:00:00Z");
        Expiry expiry = new Expiry("g", "h", cutoff);
        assertSame(fresh, expiry.applyTo(fresh, "2001-06-01T12:00:00Z"), "reported again: kept as it is");
        assertNull(expiry.applyTo(old, "2001-06-01T12:00:00Z"), "still not seen: removed");
        Refusal gone = assertThrows(Refusal.class, () -> expiry.applyTo(null, "2001-06-01T12:00:00Z"));
        assertEquals(Refusal.Kind.NOT_FOUND, gone.kind());
        assertTrue(Expiry.isExpired(old, cutoff));
        assertFalse(Expiry.isExpired(fresh, cutoff));
        assertEquals("retention", expiry.source());
        assertEquals("g/h", expiry.key());

        // Through the store: the fresh record stays, unchanged.
        put(fresh);
        StatusStore.Written written = store.write(new Expiry("g", "h", cutoff));
        assertEquals(fresh, written.record());
        assertEquals(Optional.of(fresh), store.find("g", "h"));
    }

    @Test
    void aHostThatReportedAgainBetweenTheListingAndTheDeletionStays() {
        put(record("g", "comeback", "2001-06-01T10:00:00Z", null, "2001-06-01T10:00:00Z"));
        put(record("g", "deleted-meanwhile", "2001-06-01T10:00:00Z", null, "2001-06-01T10:00:00Z"));
        put(record("g", "old", "2001-06-01T10:00:00Z", null, "2001-06-01T10:00:00Z"));
        List<StatusRecord> listed = store.all();
        // After the sweep listed the records: one reports again, one is deleted by a client.
        StatusRecord reported = record("g", "comeback", "2001-06-01T11:59:00Z", null, "2001-06-01T11:59:00Z");
        put(reported);
        StatusStore lagging = new ListingFrom(store, listed, new AtomicInteger());
        store.write(new Deleting("g", "deleted-meanwhile"));

        assertEquals(List.of("g/old"), new Retention(lagging, HOUR, FIXED).sweep());
        assertEquals(List.of("g/comeback"), keys(store));
        assertEquals(Optional.of(reported), store.find("g", "comeback"), "kept as reported");
        assertTrue(logged.stream().noneMatch(m -> m.contains("g/comeback")), logged.toString());
    }

    @Test
    void startSweepsAtOnceAndCloseStopsIt() throws InterruptedException {
        fleet();
        // One hour: the sweeper then runs every minute, but its first sweep is at start.
        try (Retention retention = new Retention(store, HOUR, FIXED)) {
            retention.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (!keys(store).equals(KEPT)) {
                if (System.nanoTime() > deadline) {
                    fail("start() did not sweep: " + keys(store));
                }
                TimeUnit.MILLISECONDS.sleep(20);
            }
        }
        assertTrue(logged.stream().anyMatch(m -> m.contains("PT1H") && m.contains("60000")),
                "the start-up line names the period and the sweep interval: " + logged);
    }

    /** A sweep that fails with anything, an {@link Error} included, is logged and the next one runs. */
    @Test
    void theSweeperSurvivesAnErrorAndSweepsAgain() throws InterruptedException {
        put(record("g", "old", "2001-06-01T10:00:00Z", null, "2001-06-01T10:00:00Z"));
        put(record("g", "fresh", "2001-06-01T11:59:55Z", null, "2001-06-01T11:59:55Z"));
        AtomicInteger failures = new AtomicInteger(2);
        StatusStore firstFails = new ListingFrom(store, null, failures);
        // Ten seconds: the sweeper runs every second.
        try (Retention retention = new Retention(firstFails, Duration.ofSeconds(10), FIXED)) {
            retention.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!keys(store).equals(List.of("g/fresh"))) {
                if (System.nanoTime() > deadline) {
                    fail("no sweep after the failures: " + keys(store));
                }
                TimeUnit.MILLISECONDS.sleep(20);
            }
        }
        assertEquals(0, failures.get());
        assertTrue(logged.stream().anyMatch(m -> m.contains("retention sweep failed")), logged.toString());
    }

    /** A deletion as a client's DELETE makes it. */
    private record Deleting(String serverGroup, String host) implements Update {
        @Override
        public String source() {
            return "test";
        }

        @Override
        public List<String> ignoredFields() {
            return List.of();
        }

        @Override
        public StatusRecord applyTo(StatusRecord current, String now) {
            return null;
        }
    }

    /**
     * The store, except that {@link #all()} fails with an {@link OutOfMemoryError} while
     * {@code failures} counts down, then answers an earlier listing (the store's own if null).
     */
    private record ListingFrom(StatusStore store, List<StatusRecord> listing, AtomicInteger failures)
            implements StatusStore {
        @Override
        public List<StatusRecord> all() {
            if (failures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                throw new OutOfMemoryError("injected: Java heap space");
            }
            return listing != null ? listing : store.all();
        }

        @Override
        public List<Outcome> writeAll(List<? extends Update> updates) {
            return store.writeAll(updates);
        }

        @Override
        public Optional<StatusRecord> find(String serverGroup, String host) {
            return store.find(serverGroup, host);
        }

        @Override
        public Written write(Update update) {
            return store.write(update);
        }

        @Override
        public Stats stats() {
            return store.stats();
        }

        @Override
        public Readiness readiness() {
            return store.readiness();
        }

        @Override
        public io.gitops.status.store.SharedDocument document(String name) {
            return store.document(name);
        }

        @Override
        public Location location() {
            return store.location();
        }

        @Override
        public void export(java.io.OutputStream out) throws java.io.IOException {
            store.export(out);
        }

        @Override
        public void close() {
        }
    }

    private static final class MutableClock extends Clock {
        volatile Instant instant;

        MutableClock(Instant instant) {
            this.instant = instant;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return instant;
        }
    }
}
