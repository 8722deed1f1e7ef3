package io.gitops.status.notify;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.gitops.status.api.Transition;
import io.gitops.status.notify.NotifierState.Attempt;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Delivery: retries under one id with capped exponential backoff, dead letters, counts, and the Slack body. */
class DeliveryTest {

    @TempDir
    Path dir;
    NotifyFixture fixture;
    WebhookReceiver ops;
    WebhookReceiver audit;

    @BeforeEach
    void setUp() throws Exception {
        fixture = new NotifyFixture(dir);
        ops = new WebhookReceiver("s3cret");
        audit = new WebhookReceiver(null);
        Files.writeString(dir.resolve("ops.secret"), "s3cret\n");
    }

    @AfterEach
    void tearDown() {
        ops.close();
        audit.close();
        fixture.close();
    }

    private void rules(String delivery) throws Exception {
        fixture.rules("""
                delivery: %s
                receivers:
                  - name: ops
                    webhook: {url: "%s", secret_file: ops.secret}
                  - name: audit
                    webhook: {url: "%s"}
                rules:
                  - name: drift
                    on: [out_of_sync]
                    receivers: [ops, audit]
                """.formatted(delivery, ops.url(), audit.url()));
    }

    private static Map<String, Long> counts(long sent, long failed, long dead) {
        return Map.of("sent", sent, "failed", failed, "dead", dead);
    }

    private void advance(long millis) {
        fixture.clock.advance(Duration.ofMillis(millis));
    }

    @Test
    void aReceiverThatFailsTwiceGetsTheSameMessageOnItsThirdTryAfterTheBackoff() throws Exception {
        rules("{attempts: 4, backoff: PT10S, max_backoff: PT15S, timeout: PT5S}");
        ops.failNext(2);
        fixture.pipeline("g", "web-1", "out_of_sync");
        try (Notifier notifier = fixture.notifier()) {
            notifier.look(); // try 1 fails
            notifier.look();
            assertEquals(1, ops.requests().size(), "no try before the backoff");
            assertEquals(1, audit.requests().size(), "the other receiver is not held up");
            advance(9_999);
            notifier.look();
            assertEquals(1, ops.requests().size());
            advance(1);
            notifier.look(); // try 2, 10 s after the first, fails
            assertEquals(2, ops.requests().size());
            advance(14_999); // then 20 s, capped at 15
            notifier.look();
            assertEquals(2, ops.requests().size());
            advance(1);
            notifier.look(); // try 3 succeeds
            advance(3_600_000);
            notifier.look();

            List<WebhookReceiver.Request> tries = ops.requests();
            assertEquals(3, tries.size());
            String id = tries.get(0).json().get("id").asText();
            for (WebhookReceiver.Request attempt : tries) {
                assertEquals(id, attempt.id(), "the id header of every try");
                assertArrayEquals(tries.get(0).body(), attempt.body(), "every try sends the same bytes");
                assertTrue(attempt.signatureValid());
            }
            assertEquals(1, audit.requests().size());
            assertEquals(id, audit.requests().get(0).id(), "one message, one id, for every receiver");
            assertEquals(Map.of("ops", counts(1, 2, 0), "audit", counts(1, 0, 0)), notifier.counts());
            NotificationsView view = notifier.view();
            assertEquals(0, view.waitingCount());
            Attempt sent = view.recent().stream().filter(a -> a.receiver().equals("ops")).findFirst().orElseThrow();
            assertEquals(List.of(id, "sent", 3), List.of(sent.id(), sent.outcome(), sent.attempts()));
        }
    }

    @Test
    void afterTheLastTryTheMessageIsDeadLetteredAndLaterMessagesStillGo() throws Exception {
        rules("{attempts: 3, backoff: PT1S, max_backoff: PT4S}");
        ops.down(true);
        fixture.pipeline("g", "web-1", "out_of_sync");
        try (Notifier notifier = fixture.notifier()) {
            notifier.look(); // try 1
            advance(1_000);
            notifier.look(); // try 2
            advance(1_999);
            notifier.look();
            assertEquals(2, ops.requests().size(), "2 s after the second failure");
            advance(1);
            notifier.look(); // try 3, the last: dead
            advance(3_600_000);
            notifier.look();
            assertEquals(3, ops.requests().size(), "no try after the last");
            String id = ops.requests().get(0).id();
            ops.requests().forEach(attempt -> assertEquals(id, attempt.id()));
            assertEquals(Map.of("ops", counts(0, 3, 1), "audit", counts(1, 0, 0)), notifier.counts());
            NotificationsView view = notifier.view();
            assertEquals(0, view.waitingCount());
            assertEquals(1, view.deadLetters().size());
            Attempt dead = view.deadLetters().get(0);
            assertEquals(List.of(id, "ops", "dead", 3, "HTTP 500"),
                    List.of(dead.id(), dead.receiver(), dead.outcome(), dead.attempts(), dead.error()));
            assertEquals(1, audit.requests().size(), "the other receiver got it once");

            ops.down(false);
            fixture.pipeline("g", "web-1", "synced");
            notifier.look();
            assertEquals(4, ops.requests().size());
            assertEquals("resolved", ops.requests().get(3).json().get("state").asText());
            assertEquals(Map.of("ops", counts(1, 3, 1), "audit", counts(2, 0, 0)), notifier.counts());
        }
    }

    @Test
    void aTryNotAnsweredWithinTheTimeoutFailsAndIsRetried() throws Exception {
        rules("{attempts: 3, backoff: PT1S, timeout: PT0.2S}");
        CountDownLatch answered = new CountDownLatch(1);
        audit.onRequest(request -> {
            if (answered.getCount() > 0) { // the first request is answered late
                try {
                    Thread.sleep(600);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                answered.countDown();
            }
        });
        fixture.pipeline("g", "web-1", "out_of_sync");
        try (Notifier notifier = fixture.notifier()) {
            notifier.look();
            assertEquals(Map.of("ops", counts(1, 0, 0), "audit", counts(0, 1, 0)), notifier.counts());
            NotificationsView.WaitingView waiting = notifier.view().waiting().get(0);
            assertEquals("audit", waiting.receiver());
            assertTrue(waiting.lastError().contains("no answer within PT0.2S"), waiting.lastError());
            assertTrue(answered.await(10, TimeUnit.SECONDS));
            advance(1_000);
            notifier.look();
            assertEquals(Map.of("ops", counts(1, 0, 0), "audit", counts(1, 1, 0)), notifier.counts());
        }
        assertEquals(2, audit.requests().size());
        assertEquals(audit.requests().get(0).id(), audit.requests().get(1).id());
    }

    /** A receiver that refuses, then trickles an endless answer, a byte each 50 ms. */
    @Test
    void anEndlessRefusalFailsTheTryWithinAboutTheTimeout() throws Exception {
        try (ServerSocket trickler = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread server = new Thread(() -> {
                try (Socket client = trickler.accept()) {
                    client.getInputStream().read(new byte[8192]);
                    OutputStream out = client.getOutputStream();
                    out.write("HTTP/1.1 500 Busy\r\nContent-Length: 100000000\r\n\r\n"
                            .getBytes(StandardCharsets.US_ASCII));
                    while (true) {
                        out.write('x');
                        out.flush();
                        Thread.sleep(50);
                    }
                } catch (Exception e) {
                    // the notifier hung up: done
                }
            });
            server.setDaemon(true);
            server.start();
            fixture.rules("""
                    delivery: {attempts: 3, timeout: PT0.5S}
                    receivers:
                      - name: slow
                        webhook: {url: "http://127.0.0.1:%d/hook"}
                    rules:
                      - name: drift
                        on: [out_of_sync]
                        receivers: [slow]
                    """.formatted(trickler.getLocalPort()));
            fixture.pipeline("g", "web-1", "out_of_sync");
            try (Notifier notifier = fixture.notifier()) {
                long start = System.nanoTime();
                notifier.look();
                long millis = (System.nanoTime() - start) / 1_000_000;
                assertTrue(millis < 5_000, "the look took " + millis + " ms");
                String error = notifier.view().waiting().get(0).lastError();
                assertTrue(error.startsWith("HTTP 500: xxx"), error);
            }
        }
    }

    @Test
    void slackGetsOneLinePerHostWithItsControlCharactersEscaped() throws Exception {
        try (WebhookReceiver slack = new WebhookReceiver(null)) {
            fixture.rules("""
                    public_url: https://status.example.com/
                    receivers:
                      - name: chat
                        slack: {url: "%s"}
                    rules:
                      - name: "drift <prod> & co"
                        on: [out_of_sync]
                        receivers: [chat]
                    """.formatted(slack.url()));
            fixture.pipeline("rsyslog-prod", "web-1", "synced");
            fixture.cron("rsyslog-prod", "web-1", "out_of_sync", "/etc/rsyslog.conf");
            List<Transition> history = fixture.store.find("rsyslog-prod", "web-1").orElseThrow().history();
            String since = Instant.parse(history.get(history.size() - 1).at()).toString();
            try (Notifier notifier = fixture.notifier()) {
                notifier.look();
                fixture.cron("rsyslog-prod", "web-1", "synced");
                notifier.look();
                assertEquals(Map.of("chat", counts(2, 0, 0)), notifier.counts());
            }
            assertEquals(2, slack.requests().size());
            JsonNode firing = slack.requests().get(0).json();
            assertEquals(List.of("text"), fieldNames(firing));
            String link = "<https://status.example.com/ui/#host=rsyslog-prod%2Fweb-1|rsyslog-prod/web-1>";
            assertEquals(":red_circle: *Firing: drift &lt;prod&gt; &amp; co* (1 host)\n• " + link
                    + ": out_of_sync (was synced) since " + since + ", 1 changed file", firing.get("text").asText());
            String resolved = slack.requests().get(1).json().get("text").asText();
            assertTrue(resolved.startsWith(":large_green_circle: *Resolved: drift &lt;prod&gt; &amp; co* (1 host)\n• "
                    + link + ": synced"), resolved);
            assertFalse(resolved.contains("<prod>"));
            assertNull(slack.requests().get(0).signature(), "a Slack webhook is not signed");
        }
    }

    private static List<String> fieldNames(JsonNode object) {
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
