package io.gitops.status.store;

import static io.gitops.status.store.TestUpdates.put;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.gitops.status.api.Refusal;
import io.gitops.status.api.StatusRecord;
import io.gitops.status.update.Deletion;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store's host cap (issue 9, item 7), which the application sets from {@code maxHosts}: a
 * write that would create one host too many is refused, alone in its batch, and nothing of it is
 * stored; writes to existing hosts go on.
 */
class MaxHostsTest {

    @TempDir
    Path dir;

    @Test
    void aWriteThatWouldCreateOneHostTooManyIsRefusedAndNothingIsStored() {
        Path file = dir.resolve("status.json");
        try (FileStatusStore store = new FileStatusStore(file, 2, FaultPoint.NONE)) {
            store.write(put("g", "a", "synced"));
            store.write(put("g", "b", "synced"));
            Refusal refused = assertThrows(Refusal.class, () -> store.write(put("g", "c", "synced")));
            assertEquals(Refusal.Kind.LIMIT_EXCEEDED, refused.kind());
            assertEquals("maxHosts", refused.field());

            // In one batch, the creation is refused alone: the update of an existing host is stored.
            List<StatusStore.Outcome> outcomes = store.writeAll(List.of(put("g", "d", "failed"),
                    put("g", "a", "failed")));
            assertEquals("maxHosts", outcomes.get(0).refused().field());
            assertNull(outcomes.get(1).refused());
            assertEquals(List.of("g/a", "g/b"), store.all().stream().map(StatusRecord::key).toList());
            assertEquals("failed", store.find("g", "a").orElseThrow().status());

            store.write(new Deletion("g", "b"));
            store.write(put("g", "c", "synced"));
        }
        try (FileStatusStore reopened = new FileStatusStore(file, 2, FaultPoint.NONE)) {
            assertEquals(List.of("g/a", "g/c"), reopened.all().stream().map(StatusRecord::key).toList());
        }
    }

    @Test
    void aDataFileHoldingMoreHostsThanTheCapStillLoadsAndOnlyCreationsAreRefused() {
        Path file = dir.resolve("status.json");
        try (FileStatusStore store = new FileStatusStore(file)) {
            store.write(put("g", "a", "synced"));
            store.write(put("g", "b", "synced"));
        }
        // Lowered below what the file holds: everything loads, hosts that exist may still be written.
        try (FileStatusStore store = new FileStatusStore(file, 1, FaultPoint.NONE)) {
            assertEquals(2, store.all().size());
            store.write(put("g", "b", "failed"));
            assertEquals("maxHosts", assertThrows(Refusal.class, () -> store.write(put("g", "c", "synced"))).field());
        }
    }
}
