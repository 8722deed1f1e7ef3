package io.gitops.status.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gitops.status.api.StatusRecord;
import io.gitops.status.api.Transition;
import io.gitops.status.store.FaultPoint.Step;
import io.gitops.status.update.AttributedUpdate;
import io.gitops.status.update.Deletion;
import io.gitops.status.update.Update;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A failure injected at every step of a write and of a compaction (an exception, an I/O error, an
 * {@link OutOfMemoryError}): a write is acknowledged only when stored, a refused one never takes
 * effect, and a load afterwards gives every acknowledged write exactly once.
 */
class FaultInjectionTest {

    private static final List<Supplier<Throwable>> FAILURES = List.of(
            () -> new IOException("injected I/O error"),
            () -> new IllegalStateException("injected bug"),
            () -> new OutOfMemoryError("injected: Java heap space"));

    @TempDir
    Path dir;

    private Path file() {
        return dir.resolve("status.json");
    }

    /** Fails the next time {@code step} is reached after {@link #arm}. */
    private static final class Injector implements FaultPoint {
        private final Set<Step> steps;
        private final AtomicReference<Throwable> armed = new AtomicReference<>();
        private final AtomicInteger fired = new AtomicInteger();

        Injector(Set<Step> steps) {
            this.steps = steps;
        }

        void arm(Throwable failure) {
            armed.set(failure);
        }

        @Override
        public void reached(Step step) throws IOException {
            if (steps.contains(step)) {
                Throwable failure = armed.getAndSet(null);
                if (failure != null) {
                    fired.incrementAndGet();
                    throwIt(failure);
                }
            }
        }
    }

    private static void throwIt(Throwable failure) throws IOException {
        if (failure instanceof IOException e) {
            throw e;
        }
        if (failure instanceof RuntimeException e) {
            throw e;
        }
        throw (Error) failure;
    }

    @ParameterizedTest
    @EnumSource(value = Step.class, names = {"APPEND", "APPLY", "PUBLISH"})
    void aBatchFailingAtAnyStepIsRefusedWholeAndNeverTakesEffect(Step step) throws IOException {
        for (Supplier<Throwable> failure : FAILURES) {
            Injector faults = new Injector(Set.of(step));
            try (FileStatusStore store = new FileStatusStore(file(), 1000, faults)) {
                store.write(TestUpdates.put("g", "kept", "synced"));
                byte[] journal = Files.readAllBytes(dir.resolve("status.json.journal"));
                List<StatusRecord> before = store.all();

                faults.arm(failure.get());
                StoreUnavailableException refused = assertThrows(StoreUnavailableException.class,
                        () -> store.writeAll(List.of(TestUpdates.put("g", "new", "synced"),
                                TestUpdates.put("g", "kept", "failed"), new Deletion("g", "kept"))));
                assertTrue(refused.getMessage().contains("injected"), refused.getMessage());
                assertEquals(1, faults.fired.get());
                assertEquals(before, store.all(), "memory holds what the journal holds");
                assertArrayEquals(journal, Files.readAllBytes(dir.resolve("status.json.journal")),
                        "the failed append was cut back");
                store.write(TestUpdates.put("g", "after", "synced"));
            }
            try (FileStatusStore reopened = new FileStatusStore(file())) {
                assertEquals(List.of("g/after", "g/kept"), keys(reopened));
                assertEquals("synced", reopened.find("g", "kept").orElseThrow().status());
            }
            clean();
        }
    }

    /**
     * A failed append whose cut-back fails too (the journal turned immutable meanwhile): the store
     * stays unavailable instead of loading the files, which would replay the refused write, and
     * once the journal can be cut back the refused write is gone for good.
     */
    @Test
    void aFailedAppendThatCannotBeCutBackIsNeverLoaded() throws Exception {
        Path journal = dir.resolve("status.json.journal");
        AtomicReference<Boolean> armed = new AtomicReference<>(false);
        FaultPoint faults = step -> {
            if (step == Step.PUBLISH && armed.getAndSet(false)) {
                try {
                    org.junit.jupiter.api.Assumptions.assumeTrue(ScratchFilesystem.run("chattr", "+i", journal.toString()),
                            "chattr +i is not available here");
                } catch (InterruptedException e) {
                    throw new IOException(e);
                }
                throw new IOException("injected I/O error");
            }
        };
        try (FileStatusStore store = new FileStatusStore(file(), 1000, faults)) {
            store.write(TestUpdates.put("g", "kept", "synced"));
            armed.set(true);
            try {
                assertThrows(StoreUnavailableException.class, () -> store.write(TestUpdates.put("g", "refused", "synced")));
                assertEquals(List.of("g/kept"), keys(store), "memory holds what the journal holds");
                StoreUnavailableException stuck = assertThrows(StoreUnavailableException.class,
                        () -> store.write(TestUpdates.put("g", "next", "synced")), "nothing goes on over the refused lines");
                assertTrue(stuck.getMessage().contains("could not be cut back"), stuck.getMessage());
            } finally {
                ScratchFilesystem.run("chattr", "-i", journal.toString());
            }
            store.write(TestUpdates.put("g", "next", "synced"));
            assertEquals(List.of("g/kept", "g/next"), keys(store));
        }
        try (FileStatusStore reopened = new FileStatusStore(file())) {
            assertEquals(List.of("g/kept", "g/next"), keys(reopened));
        }
    }

    @Test
    void anErrorWhileAWriteIsAppliedFailsEveryWriteOfTheBatch() {
        try (FileStatusStore store = new FileStatusStore(file())) {
            store.write(TestUpdates.put("g", "kept", "synced"));
            Update outOfMemory = new TestUpdates.Of("g", "big", (current, now) -> {
                throw new OutOfMemoryError("injected: Java heap space");
            });
            assertThrows(StoreUnavailableException.class, () -> store.writeAll(List.of(
                    TestUpdates.put("g", "first", "synced"), outOfMemory, TestUpdates.put("g", "kept", "failed"))));
            assertEquals(List.of("g/kept"), keys(store));
            assertEquals("synced", store.find("g", "kept").orElseThrow().status());
        }
    }

    /**
     * Writers race while failures hit random batches: afterwards the files hold exactly the
     * acknowledged writes, and none that was answered with an error.
     */
    @Test
    void underConcurrentWritersOnlyAcknowledgedWritesAreStored() throws Exception {
        Injector faults = new Injector(Set.of(Step.APPEND, Step.APPLY, Step.PUBLISH));
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        Set<String> refused = ConcurrentHashMap.newKeySet();
        try (FileStatusStore store = new FileStatusStore(file(), 100_000, faults)) {
            ExecutorService writers = Executors.newFixedThreadPool(8);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int thread = t;
                done.add(writers.submit(() -> {
                    Random random = new Random(thread);
                    for (int i = 0; i < 150; i++) {
                        if (random.nextInt(8) == 0) {
                            faults.arm(FAILURES.get(random.nextInt(FAILURES.size())).get());
                        }
                        String host = "h" + thread + "-" + i;
                        try {
                            store.write(TestUpdates.put("g", host, "synced"));
                            acknowledged.add("g/" + host);
                        } catch (StoreUnavailableException e) {
                            refused.add("g/" + host);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(120, TimeUnit.SECONDS);
            }
            writers.shutdown();
            assertTrue(faults.fired.get() > 10, "failures were injected: " + faults.fired.get());
            assertFalse(refused.isEmpty());
            assertEquals(Set.copyOf(acknowledged), Set.copyOf(keys(store)));
        }
        try (FileStatusStore reopened = new FileStatusStore(file())) {
            assertEquals(Set.copyOf(acknowledged), Set.copyOf(keys(reopened)));
        }
    }

    /** A bulk write (a deletion, a retention sweep) is stored in one batch, never split. */
    @Test
    void theWritesOfOneCallAreNeverSplitBetweenBatches() throws Exception {
        AtomicInteger batches = new AtomicInteger();
        FaultPoint counting = step -> {
            if (step == Step.APPEND) {
                batches.incrementAndGet();
            }
        };
        try (FileStatusStore store = new FileStatusStore(file(), 100_000, counting)) {
            ExecutorService singles = Executors.newFixedThreadPool(4);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int thread = t;
                done.add(singles.submit(() -> {
                    for (int i = 0; i < 300; i++) {
                        store.write(TestUpdates.put("single", thread + "-" + i, "synced"));
                    }
                    return null;
                }));
            }
            for (int round = 0; round < 30; round++) {
                Set<Integer> seen = ConcurrentHashMap.newKeySet();
                List<Update> unit = new ArrayList<>();
                for (int i = 0; i < 50; i++) {
                    Update put = TestUpdates.put("bulk", round + "-" + i, "synced");
                    unit.add(new TestUpdates.Of("bulk", round + "-" + i, (current, now) -> {
                        seen.add(batches.get());
                        return put.applyTo(current, now);
                    }));
                }
                store.writeAll(unit);
                assertEquals(1, seen.size(), "round " + round + " was staged across batches " + seen);
            }
            for (Future<?> f : done) {
                f.get(120, TimeUnit.SECONDS);
            }
            singles.shutdown();
        }
    }

    /**
     * A compaction failing at any step, the data file renamed into place but the journal not yet
     * cut among them, while the journal adds a transition to a history the data file already
     * holds (where replaying a folded line again would duplicate it): the running store and the
     * next load hold every write exactly once, no transition twice and no deleted host back.
     */
    @ParameterizedTest
    @EnumSource(value = Step.class, names = {"COMPACT_WRITE", "COMPACT_RENAME", "COMPACT_CUT_JOURNAL",
        "COMPACT_PUBLISH"})
    void aCompactionFailingAtAnyStepNeverDuplicatesNorResurrects(Step step) throws Exception {
        Injector faults = new Injector(Set.of(step));
        Path journal = dir.resolve("status.json.journal");
        try (FileStatusStore store = new FileStatusStore(file(), 1000, faults)) {
            flapAndDelete(store, 0);
            awaitQuietCompaction(() -> Files.size(journal) == 0); // its history is in the data file now
            flapAndDelete(store, 1);
            faults.arm(new IOException("injected I/O error"));
            awaitQuietCompaction(() -> faults.fired.get() > 0);
            assertEquals(1, faults.fired.get(), "the compaction reached " + step);
            assertExpected(store, 1);
            flapAndDelete(store, 2); // the running store goes on from whatever the files hold
            assertExpected(store, 2);
        }
        try (FileStatusStore reopened = new FileStatusStore(file())) {
            assertExpected(reopened, 2);
        }
    }

    /** The compactor survives anything a compaction throws, an {@link Error} included, and folds later. */
    @Test
    void theCompactorSurvivesErrorsAndFoldsLater() throws Exception {
        Injector faults = new Injector(Set.of(Step.COMPACT_WRITE, Step.COMPACT_CUT_JOURNAL));
        Path journal = dir.resolve("status.json.journal");
        try (FileStatusStore store = new FileStatusStore(file(), 1000, faults)) {
            store.write(TestUpdates.put("g", "h", "synced"));
            for (int failure = 1; failure <= 2; failure++) {
                faults.arm(new OutOfMemoryError("injected: Java heap space"));
                int expected = failure;
                awaitQuietCompaction(() -> faults.fired.get() == expected);
            }
            awaitQuietCompaction(() -> Files.size(journal) == 0);
            assertEquals(List.of("g/h"), keys(store));
        }
    }

    private interface Condition {
        boolean holds() throws IOException;
    }

    /** Waits for the compactor, which folds the journal once writes are quiet for a few seconds. */
    private static void awaitQuietCompaction(Condition done) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!done.holds()) {
            assertTrue(System.nanoTime() < deadline, "no compaction within 20 s");
            Thread.sleep(50);
        }
    }

    /**
     * Round {@code r}: host "flap" changes status once (synced, failed, synced, ...), keeping its
     * last {@value #KEPT} transitions; host "gone-r" is created and deleted.
     */
    private static void flapAndDelete(FileStatusStore store, int round) {
        String status = round % 2 == 0 ? "synced" : "failed";
        store.write(new AttributedUpdate(TestUpdates.put("g", "flap", status), null, KEPT));
        store.write(new AttributedUpdate(TestUpdates.put("g", "gone-" + round, "synced"), null, KEPT));
        store.write(new Deletion("g", "gone-" + round));
    }

    private static final int KEPT = 3;

    private static void assertExpected(FileStatusStore store, int round) {
        assertEquals(List.of("g/flap"), keys(store));
        List<String> expected = new ArrayList<>(List.of("null>synced"));
        for (int r = 1; r <= round; r++) {
            expected.add(r % 2 == 1 ? "synced>failed" : "failed>synced");
        }
        List<Transition> history = store.find("g", "flap").orElseThrow().history();
        assertEquals(expected.subList(Math.max(0, expected.size() - KEPT), expected.size()),
                history.stream().map(FaultInjectionTest::arrow).toList(), "after round " + round);
    }

    private static String arrow(Transition t) {
        return t.from() + ">" + t.to();
    }

    private static List<String> keys(StatusStore store) {
        return store.all().stream().map(StatusRecord::key).toList();
    }

    private void clean() throws IOException {
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) {
                Files.delete(p);
            }
        }
    }
}
