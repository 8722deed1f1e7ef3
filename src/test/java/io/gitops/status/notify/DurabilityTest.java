package io.gitops.status.notify;

import static io.gitops.status.notify.NotifyFixture.hosts;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gitops.status.store.FileStatusStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The state in the store's shared document: saved before a message leaves, so that a new notifier
 * goes on with the same message, and leased, so that one notifier sends of all those over a store.
 */
class DurabilityTest {

    @TempDir
    Path dir;
    NotifyFixture fixture;
    WebhookReceiver hook;
    /** For each request as it arrived: whether the saved state held its id already. */
    final List<Boolean> savedBeforeSent = new CopyOnWriteArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        fixture = new NotifyFixture(dir);
        hook = new WebhookReceiver(null);
        hook.onRequest(request -> savedBeforeSent.add(savedState().contains(request.id())));
        fixture.rules("""
                delivery: {attempts: 5, backoff: PT1S, max_backoff: PT1S}
                receivers:
                  - name: ops
                    webhook: {url: "%s"}
                rules:
                  - name: drift
                    on: [out_of_sync]
                    receivers: [ops]
                """.formatted(hook.url()));
    }

    @AfterEach
    void tearDown() {
        hook.close();
        fixture.close();
    }

    private String savedState() {
        try {
            return Files.readString(dir.resolve("status.json.notifications"), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    @Test
    void reportsOfAnOpenHostDoNotRewriteTheState() throws Exception {
        fixture.pipeline("g", "web-1", "out_of_sync");
        try (Notifier notifier = fixture.notifier()) {
            notifier.look();
            assertEquals(1, hook.messages().size());
            long saves = notifier.saves();
            for (int i = 0; i < 3; i++) {
                fixture.nextSecond();
                fixture.cron("g", "web-1", "out_of_sync", "/etc/still-drifted");
                notifier.look();
            }
            assertEquals(saves, notifier.saves(), "the state written again for reports that change nothing it keeps");
            assertEquals(1, hook.requests().size());
        }
    }

    @Test
    void aSmallStateIsSavedAfterEachDeliveryALargeOneAboutOnceASecond() throws Exception {
        fixture.pipeline("g", "web-1", "out_of_sync");
        fixture.pipeline("g", "web-2", "out_of_sync");
        try (Notifier notifier = fixture.notifier()) {
            notifier.look();
            assertEquals(2, hook.messages().size());
            assertEquals(3, notifier.saves(), "once with both messages queued, then after each delivery");
        }
        int hosts = 3000;
        fixture.pipelineAll("big", hosts, "out_of_sync");
        try (Notifier notifier = fixture.notifier()) {
            long start = System.nanoTime();
            notifier.look();
            long seconds = Duration.ofNanos(System.nanoTime() - start).toSeconds();
            assertEquals(2 + hosts, hook.messages().size());
            assertTrue(savedState().length() > 256 * 1024, "a state of more than 256 KiB: " + savedState().length());
            assertTrue(notifier.saves() <= seconds + 3, notifier.saves() + " saves in a look of " + seconds + " s");
            assertTrue(savedState().contains("\"outbox\":[]"), "the last deliveries saved too");
        }
    }

    @Test
    void aDamagedStateIsStartedAfreshAndWhatIsOpenFiresAgain() throws Exception {
        fixture.pipeline("g", "web-1", "synced");
        fixture.cron("g", "web-1", "out_of_sync");
        Files.writeString(dir.resolve("status.json.notifications"), "{\"watches\": [{\"rule\": tru");
        try (Notifier notifier = fixture.notifier()) {
            notifier.look();
            assertEquals(1, hook.messages().size(), "the open drift, notified despite the damaged state");
            assertTrue(savedState().startsWith("{"), "a readable state written over the damaged one");
            notifier.look();
            assertEquals(1, hook.requests().size());
        }
    }

    @Test
    void aMessageQueuedWhileTheReceiverIsDownIsSentByTheNextNotifierUnderItsId() throws Exception {
        hook.down(true);
        fixture.pipeline("g", "web-1", "out_of_sync");
        try (Notifier first = fixture.notifier()) {
            first.look();
            assertEquals(1, hook.requests().size());
        }
        String id = hook.requests().get(0).id();
        assertTrue(savedState().contains(id), "the message is in the saved outbox");

        hook.down(false);
        fixture.clock.advance(Duration.ofSeconds(1));
        try (Notifier second = fixture.notifier()) {
            second.look();
            second.look();
            fixture.clock.advance(Duration.ofHours(1));
            second.look();
            assertEquals(Map.of("ops", Map.of("sent", 1L, "failed", 0L, "dead", 0L)), second.counts());
        }
        List<WebhookReceiver.Request> requests = hook.requests();
        assertEquals(2, requests.size(), "sent once more, not queued again");
        assertEquals(id, requests.get(1).id());
        assertArrayEquals(requests.get(0).body(), requests.get(1).body());
        assertEquals(List.of(true, true), savedBeforeSent);
    }

    @Test
    void aNotifierThatDiesAfterSendingBeforeSavingItIsFollowedByTheSameMessageAgain() throws Exception {
        Path document = dir.resolve("status.json.notifications");
        AtomicReference<byte[]> whenSent = new AtomicReference<>();
        hook.onRequest(request -> whenSent.compareAndSet(null, savedState().getBytes(StandardCharsets.UTF_8)));
        fixture.pipeline("g", "web-1", "out_of_sync");
        try (Notifier first = fixture.notifier()) {
            first.look();
        }
        Files.write(document, whenSent.get()); // the state as if it had died before saving the delivery
        try (Notifier second = fixture.notifier()) {
            second.look();
            second.look();
        }
        List<WebhookReceiver.Request> requests = hook.requests();
        assertEquals(2, requests.size(), "at least once: sent again, and no new message");
        assertEquals(requests.get(0).id(), requests.get(1).id());
        assertArrayEquals(requests.get(0).body(), requests.get(1).body());
    }

    @Test
    void everyMessageIsSavedBeforeItIsSent() throws Exception {
        fixture.pipeline("g", "web-1", "synced");
        try (Notifier notifier = fixture.notifier()) {
            notifier.look();
            fixture.cron("g", "web-1", "out_of_sync");
            notifier.look();
            fixture.cron("g", "web-1", "synced");
            notifier.look();
        }
        assertEquals(2, hook.messages().size());
        assertEquals(List.of(true, true), savedBeforeSent);
    }

    @Test
    void ofTwoNotifiersOverOneStoreOneSends() throws Exception {
        try (Notifier one = fixture.notifier(); Notifier other = fixture.notifier()) {
            fixture.pipeline("g", "web-1", "out_of_sync");
            for (int i = 0; i < 3; i++) {
                other.look();
                one.look();
                fixture.clock.advance(Duration.ofSeconds(1));
            }
            assertEquals(1, hook.requests().size());
            assertTrue(other.view().thisProcessSends() != one.view().thisProcessSends(), "exactly one sends");
        }
    }

    @Test
    void aNotifierOverASecondStoreOnTheSameFileTakesOverOnlyOnceTheFirstIsClosed() throws Exception {
        try (FileStatusStore secondStore = new FileStatusStore(dir.resolve("status.json"));
                Notifier first = fixture.notifier();
                Notifier second = fixture.notifier(secondStore)) {
            first.look(); // holds the lease from now on
            second.look();
            assertTrue(first.view().thisProcessSends());
            assertFalse(second.view().thisProcessSends());

            fixture.pipeline("g", "web-1", "out_of_sync");
            second.look();
            assertEquals(List.of(), hook.requests(), "the second does not send while the first holds the lease");
            first.look();
            second.look();
            assertEquals(1, hook.requests().size());

            hook.down(true);
            fixture.pipeline("g", "web-2", "out_of_sync");
            first.look(); // its try fails; it waits in the saved outbox
            second.look();
            assertEquals(2, hook.requests().size());

            first.close();
            hook.down(false);
            fixture.clock.advance(Duration.ofSeconds(1));
            second.look();
            second.look();
            assertTrue(second.view().thisProcessSends());
            fixture.clock.advance(Duration.ofHours(1));
            second.look();
        }
        List<WebhookReceiver.Request> requests = hook.requests();
        assertEquals(3, requests.size(), "web-1 not sent again, web-2 sent once more");
        assertEquals(requests.get(1).id(), requests.get(2).id());
        assertEquals(Set.of("g/web-1"), hosts(hook.messages().get(0)));
        assertEquals(Set.of("g/web-2"), hosts(hook.messages().get(1)));
        assertEquals(List.of(true, true, true), savedBeforeSent);
    }

    @Test
    void ofTwoRunningNotifiersOverTwoStoresOnOneFileOneSends() throws Exception {
        try (FileStatusStore secondStore = new FileStatusStore(dir.resolve("status.json"));
                Notifier first = fixture.notifier();
                Notifier second = fixture.notifier(secondStore)) {
            first.start();
            second.start();
            fixture.pipeline("g", "web-1", "out_of_sync");
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (hook.requests().isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            Thread.sleep(1500); // two more looks of each
            assertEquals(1, hook.requests().size());
            assertTrue(first.view().thisProcessSends() != second.view().thisProcessSends(), "exactly one sends");
        }
    }
}
