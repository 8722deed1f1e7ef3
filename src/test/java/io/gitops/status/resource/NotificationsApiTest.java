package io.gitops.status.resource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.gitops.status.config.AppConfig;
import io.gitops.status.notify.Notifier;
import io.gitops.status.notify.WebhookReceiver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /notifications} and {@code gitops_notifications_total} over the real application with
 * a rules file, on either store: the rules and receivers (names and kinds, never URLs or secrets),
 * the open notifications, the messages waiting, the deliveries and the dead letters. The notifier
 * runs on its own timer; the tests also make it look at once, and wait for what they expect.
 */
class NotificationsApiTest extends ApiTestSupport {

    static final String SECRET = "api-s3cret-4b1d";
    static final String SLACK_URL = "https://hooks.slack.example/services/T0/B0/slack-path-secret";
    static final String ALERTMANAGER_URL = "http://alertmanager.internal.example:9093";
    static final long WAIT_MILLIS = 20_000;

    /** Answers 200 and checks the signature against {@link #SECRET}. */
    WebhookReceiver hook;
    /** Answers 500 to everything. */
    WebhookReceiver broken;
    Path rulesFile;

    @Override
    protected AppConfig config(AppConfig defaults) {
        try {
            hook = new WebhookReceiver(SECRET);
            broken = new WebhookReceiver(null);
            broken.down(true);
            Files.writeString(storeDir.resolve("ops.secret"), SECRET + "\n");
            rulesFile = Files.writeString(storeDir.resolve("notify.yaml"), """
                    public_url: https://status.example.com/gitops
                    delivery: {attempts: 3, backoff: PT1S, max_backoff: PT1S, timeout: PT5S}
                    receivers:
                      - name: ops
                        webhook: {url: "%s", secret_file: ops.secret}
                      - name: down
                        webhook: {url: "%s"}
                      - name: am
                        alertmanager: {url: "%s"}
                      - name: chat
                        slack: {url: "%s"}
                    rules:
                      - name: web-drift
                        match: {server_group: "web-*"}
                        on: [out_of_sync, failed]
                        receivers: [ops]
                      - name: slow-drift
                        match: {server_group: "slow-*"}
                        on: [out_of_sync]
                        for: PT1H
                        receivers: [ops, chat]
                      - name: to-broken
                        match: {server_group: "broken-*"}
                        on: [failed]
                        receivers: [down]
                    """.formatted(hook.url(), broken.url(), ALERTMANAGER_URL, SLACK_URL));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return defaults.withNotifyFile(rulesFile);
    }

    @AfterEach
    void closeReceivers() {
        hook.close();
        broken.close();
    }

    private Notifier notifier() {
        return application.notifier().orElseThrow();
    }

    private JsonNode notifications() {
        Answer a = get("notifications");
        assertEquals(200, a.status(), a.body());
        assertTrue(a.contentType().startsWith("application/json"), a.contentType());
        return a.json();
    }

    /** GET /notifications once it satisfies {@code condition}, the notifier made to look meanwhile. */
    private JsonNode awaitNotifications(String what, Predicate<JsonNode> condition) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MILLIS);
        while (true) {
            notifier().look();
            JsonNode view = notifications();
            if (condition.test(view)) {
                return view;
            }
            if (System.nanoTime() > deadline) {
                fail("GET /notifications never showed " + what + ": " + view.toPrettyString());
            }
            sleep(100);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** A host reported by its pipeline, then by its drift check. */
    private void report(String group, String host, String pipelineStatus, String cronStatus) {
        pipelineOk("{\"server_group\":\"" + group + "\",\"host\":\"" + host + "\",\"status\":\"" + pipelineStatus
                + "\",\"environment\":\"prod\"}");
        if (cronStatus != null) {
            cronOk("{\"server_group\":\"" + group + "\",\"host\":\"" + host + "\",\"status\":\"" + cronStatus + "\"}");
        }
    }

    private static List<JsonNode> list(JsonNode array) {
        List<JsonNode> items = new ArrayList<>();
        array.forEach(items::add);
        return items;
    }

    private static JsonNode only(JsonNode array, Predicate<JsonNode> which) {
        List<JsonNode> found = list(array).stream().filter(which).toList();
        assertEquals(1, found.size(), "expected one in " + array.toPrettyString());
        return found.get(0);
    }

    private String metrics() {
        Answer a = get("metrics");
        assertEquals(200, a.status(), a.body());
        return a.body();
    }

    private static List<String> notificationLines(String metrics) {
        return metrics.lines().filter(line -> line.startsWith("gitops_notifications_total")).toList();
    }

    // ---- the rules ----------------------------------------------------------------------------

    @Test
    void theRulesAndReceiversAreShownByNameAndKindNeverByUrlOrSecret() {
        notifier().look();
        Answer a = get("notifications");
        assertEquals(200, a.status(), a.body());
        JsonNode view = a.json();
        assertEquals(List.of("enabled", "rules_file", "this_process_sends", "rules", "receivers", "open_count", "open",
                "waiting_count", "waiting", "recent", "dead_letters"), names(view));
        assertTrue(view.get("enabled").booleanValue());
        assertEquals(rulesFile.toString(), view.get("rules_file").textValue());
        assertTrue(view.get("this_process_sends").booleanValue(), "the only process holds the lease");

        assertEquals(3, view.get("rules").size());
        JsonNode slow = view.get("rules").get(1);
        assertEquals(List.of("name", "on", "receivers"), names(slow));
        assertEquals("slow-drift", slow.get("name").textValue());
        assertEquals(List.of("out_of_sync"), texts(slow.get("on")));
        assertEquals(List.of("ops", "chat"), texts(slow.get("receivers")));
        assertEquals(List.of("web-drift", "slow-drift", "to-broken"),
                list(view.get("rules")).stream().map(r -> r.get("name").textValue()).toList());
        assertEquals(List.of("out_of_sync", "failed"), texts(view.get("rules").get(0).get("on")));

        assertEquals(List.of("{\"name\":\"am\",\"kind\":\"alertmanager\"}", "{\"name\":\"chat\",\"kind\":\"slack\"}",
                "{\"name\":\"down\",\"kind\":\"webhook\"}", "{\"name\":\"ops\",\"kind\":\"webhook\"}"),
                texts(view.get("receivers")));

        assertEquals(0, view.get("open_count").intValue());
        assertEquals(0, view.get("waiting_count").intValue());
        for (String field : List.of("open", "waiting", "recent", "dead_letters")) {
            assertEquals(0, view.get(field).size(), field);
        }
        for (String hidden : List.of(hook.url().toString(), broken.url().toString(), "127.0.0.1", SLACK_URL,
                "slack-path-secret", ALERTMANAGER_URL, "alertmanager.internal", SECRET, "ops.secret")) {
            assertFalse(a.body().contains(hidden), "the body shows " + hidden + ": " + a.body());
        }
    }

    // ---- open notifications and deliveries ------------------------------------------------------

    @Test
    void aDriftIsShownOpenFiringOrPendingAndItsDeliveryInRecent() {
        report("web-prod", "w1", "synced", "out_of_sync");
        report("slow-prod", "s1", "synced", "out_of_sync");
        JsonNode view = awaitNotifications("the delivery to ops", v -> v.get("recent").size() == 1);

        assertEquals(2, view.get("open_count").intValue());
        JsonNode firing = only(view.get("open"), o -> o.get("rule").textValue().equals("web-drift"));
        assertEquals(List.of("rule", "server_group", "host", "status", "state", "since", "fired_at"), names(firing));
        assertEquals("web-prod", firing.get("server_group").textValue());
        assertEquals("w1", firing.get("host").textValue());
        assertEquals("out_of_sync", firing.get("status").textValue());
        assertEquals("firing", firing.get("state").textValue());
        assertTrue(firing.get("since").textValue().matches("\\d{4}-\\d{2}-\\d{2}T.*Z"), firing.toString());
        assertTrue(firing.get("fired_at").isTextual(), firing.toString());

        JsonNode pending = only(view.get("open"), o -> o.get("rule").textValue().equals("slow-drift"));
        assertEquals("s1", pending.get("host").textValue());
        assertEquals("pending", pending.get("state").textValue(), "for: PT1H has not passed");
        assertTrue(pending.get("fired_at").isNull(), pending.toString());

        JsonNode sent = view.get("recent").get(0);
        assertEquals(List.of("id", "receiver", "rule", "state", "reminder", "hosts", "outcome", "attempts", "at",
                "error"), names(sent));
        assertEquals("ops", sent.get("receiver").textValue());
        assertEquals("web-drift", sent.get("rule").textValue());
        assertEquals("firing", sent.get("state").textValue());
        assertEquals(1, sent.get("hosts").intValue());
        assertEquals("sent", sent.get("outcome").textValue());
        assertEquals(1, sent.get("attempts").intValue());
        assertTrue(sent.get("error").isNull());
        assertEquals(0, view.get("waiting_count").intValue());
        assertEquals(0, view.get("dead_letters").size());

        // what the receiver got: the message of that id, signed with the secret file's key
        assertEquals(1, hook.requests().size());
        WebhookReceiver.Request request = hook.requests().get(0);
        assertEquals(sent.get("id").textValue(), request.id());
        assertTrue(request.signatureValid(), "signature");
        assertEquals("https://status.example.com/gitops/ui/#host=web-prod%2Fw1",
                request.json().get("hosts").get(0).get("url").textValue());

        List<String> counted = notificationLines(metrics());
        assertTrue(counted.contains("gitops_notifications_total{receiver=\"ops\",state=\"sent\"} 1"), counted.toString());
        assertTrue(counted.contains("gitops_notifications_total{receiver=\"ops\",state=\"failed\"} 0"), counted.toString());
        assertTrue(counted.contains("gitops_notifications_total{receiver=\"ops\",state=\"dead\"} 0"), counted.toString());
        assertTrue(counted.contains("gitops_notifications_total{receiver=\"chat\",state=\"sent\"} 0"),
                "every receiver is shown before its first delivery: " + counted);
        assertEquals(12, counted.size(), "4 receivers, 3 states: " + counted);
    }

    @Test
    void aReceiverThatFailsShowsItsMessageWaitingThenDeadLettered() {
        report("broken-prod", "b1", "failed", null);
        JsonNode waiting = awaitNotifications("the message waiting for down", v -> v.get("waiting_count").intValue() == 1);
        JsonNode message = waiting.get("waiting").get(0);
        assertEquals(List.of("id", "receiver", "rule", "state", "hosts", "attempts", "next_attempt", "last_error"),
                names(message));
        assertEquals("down", message.get("receiver").textValue());
        assertEquals("to-broken", message.get("rule").textValue());
        assertEquals("firing", message.get("state").textValue());
        assertEquals(1, message.get("hosts").intValue());
        assertTrue(message.get("attempts").intValue() >= 1, message.toString());
        assertTrue(message.get("last_error").textValue().contains("HTTP 500"), message.toString());
        assertFalse(waiting.toString().contains(broken.url().toString()), "no URL in the error: " + waiting);

        JsonNode dead = awaitNotifications("the dead letter", v -> v.get("dead_letters").size() == 1);
        assertEquals(0, dead.get("waiting_count").intValue());
        JsonNode letter = dead.get("dead_letters").get(0);
        assertEquals(message.get("id"), letter.get("id"));
        assertEquals("down", letter.get("receiver").textValue());
        assertEquals("dead", letter.get("outcome").textValue());
        assertEquals(3, letter.get("attempts").intValue(), "delivery: attempts: 3");
        assertTrue(letter.get("error").textValue().contains("HTTP 500"), letter.toString());
        assertEquals(0, dead.get("recent").size(), "a dead letter is not a delivery");
        assertEquals(3, broken.requests().size());
        assertEquals("firing", only(dead.get("open"), o -> o.get("host").textValue().equals("b1")).get("state")
                .textValue(), "the notification stays open");

        List<String> counted = notificationLines(metrics());
        assertTrue(counted.contains("gitops_notifications_total{receiver=\"down\",state=\"failed\"} 3"), counted.toString());
        assertTrue(counted.contains("gitops_notifications_total{receiver=\"down\",state=\"dead\"} 1"), counted.toString());
        assertTrue(counted.contains("gitops_notifications_total{receiver=\"down\",state=\"sent\"} 0"), counted.toString());
    }

    @Test
    void theMetricsFamilyIsDescribedOnceWithEveryReceiver() {
        String metrics = metrics();
        assertTrue(metrics.contains("# TYPE gitops_notifications_total counter\n"), metrics);
        assertEquals(1, metrics.lines().filter(l -> l.startsWith("# TYPE gitops_notifications_total")).count());
        assertEquals(List.of("am", "chat", "down", "ops"), notificationLines(metrics).stream()
                .map(l -> l.replaceAll(".*receiver=\"([^\"]+)\".*", "$1")).distinct().toList());
    }
}
