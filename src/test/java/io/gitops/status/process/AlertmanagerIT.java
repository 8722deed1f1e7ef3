package io.gitops.status.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.gitops.status.notify.WebhookReceiver;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The notifier against a real Prometheus Alertmanager: the application in its own JVM with a rules
 * file sending to Alertmanager's v2 API and to a signed webhook, drift reported with the real
 * {@code curl}, Alertmanager routing (grouped by {@code server_group}) to a webhook of the test.
 * A drift fires in Alertmanager with our labels and annotations and reaches the webhook once; a
 * synced report resolves it at once (our {@code endsAt}, not Alertmanager's timeout) and
 * Alertmanager says so; Alertmanager groups the hosts by our {@code server_group} label; an open
 * alert outlives Alertmanager's {@code resolve_timeout} because the notifier sends it again.
 *
 * <p>Without Alertmanager or curl the class is skipped, or fails in CI ({@code CI} set, where
 * {@code .ci/run} installs Alertmanager).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AlertmanagerIT {

    private static final String RULE = "prod-drift";
    private static final String SECRET = "ops-hmac-key";
    private static final String PUBLIC_URL = "https://status.example.test";
    /** Alertmanager's resolve_timeout: short, so that an alert not sent again would end within the test. */
    private static final Duration RESOLVE_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration RESEND = Duration.ofSeconds(5);
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    static Path dir;

    private Path curl;
    private WebhookReceiver amHook;
    private WebhookReceiver opsHook;
    private AlertmanagerProcess alertmanager;
    private ServerProcess app;

    @BeforeAll
    void start() throws Exception {
        Path binary = AlertmanagerProcess.findOrNull();
        curl = ReportScript.findOrNull("curl");
        String missing = binary == null ? "prometheus-alertmanager is not installed"
                : curl == null ? "curl is not installed" : null;
        if (missing != null) {
            if (System.getenv("CI") != null) {
                fail(missing);
            }
            assumeTrue(false, "notifications not tested against Alertmanager: " + missing);
        }
        amHook = new WebhookReceiver(null);
        opsHook = new WebhookReceiver(SECRET);
        alertmanager = AlertmanagerProcess.start(binary, dir.resolve("alertmanager"), amHook.url(), RESOLVE_TIMEOUT);
        Files.writeString(dir.resolve("ops.secret"), SECRET + "\n");
        Path rules = Files.writeString(dir.resolve("notify.yaml"), """
                public_url: "%s"
                delivery: {attempts: 5, backoff: PT1S, max_backoff: PT2S, timeout: PT5S}
                receivers:
                  - name: am
                    alertmanager: {url: "%s", resend: PT%dS}
                  - name: ops
                    webhook: {url: "%s", secret_file: ops.secret}
                rules:
                  - name: %s
                    match: {server_group: "rsyslog-*"}
                    on: [out_of_sync, failed, stale]
                    for: PT1S
                    digest: PT1S
                    receivers: [am, ops]
                """.formatted(PUBLIC_URL, alertmanager.base(), RESEND.toSeconds(), opsHook.url(), RULE));
        app = ServerProcess.start(dir.resolve("status.json"), dir.resolve("app.log"),
                List.of("-Xmx256m", "-XX:TieredStopAtLevel=1", "-Dgitops.notify.file=" + rules));
        // The host that must stay firing (last test) drifts first, so that its wait overlaps the others.
        pipeline("rsyslog-steady", "steady-01", "abc0001");
        drift("rsyslog-steady", "steady-01", "/etc/rsyslog.conf");
    }

    @AfterAll
    void stop() throws Exception {
        try {
            if (app != null) {
                app.close();
            }
        } finally {
            try {
                if (alertmanager != null) {
                    alertmanager.close();
                }
            } finally {
                if (amHook != null) {
                    amHook.close();
                }
                if (opsHook != null) {
                    opsHook.close();
                }
            }
        }
    }

    @Test
    @Order(1)
    void driftFiresInAlertmanagerWithOurLabelsAndResolvesWhenSynced() throws Exception {
        pipeline("rsyslog-one", "one-01", "abc1234");
        drift("rsyslog-one", "one-01", "/etc/rsyslog.conf", "/etc/rsyslog.d/50-default.conf");

        // 1. Firing in Alertmanager, with our labels and annotations.
        JsonNode alert = await("one-01 active in Alertmanager", WAIT,
                () -> only(alertmanager.alerts("host=\"one-01\""), a -> "active".equals(state(a))));
        assertEquals(Map.of("alertname", RULE, "server_group", "rsyslog-one", "host", "one-01", "environment", "prod"),
                strings(alert.get("labels")), alert.toString());
        JsonNode annotations = alert.get("annotations");
        assertEquals("out_of_sync", text(annotations, "status"), alert.toString());
        assertEquals("synced", text(annotations, "previous_status"), alert.toString());
        assertEquals("/etc/rsyslog.conf\n/etc/rsyslog.d/50-default.conf", text(annotations, "changed_files"));
        assertEquals("2", text(annotations, "changed_files_count"));
        assertEquals("abc1234", text(annotations, "commit_sha"), "the pipeline's commit, kept by the drift check");
        assertEquals("rsyslog syntax validation passed", text(annotations, "validation_message"));
        assertEquals(PUBLIC_URL + "/ui/#host=rsyslog-one%2Fone-01", text(annotations, "url"));
        assertEquals(text(annotations, "url"), text(alert, "generatorURL"));
        assertEquals(Instant.parse(text(annotations, "since")), Instant.parse(text(alert, "startsAt")),
                "the alert starts when the host drifted");
        assertEquals("test", alert.get("receivers").get(0).get("name").textValue(), "routed to the test's webhook");

        // ... and on the webhook, once: one firing message, delivered in one signed request.
        JsonNode firing = await("the firing message of one-01 on the webhook", WAIT,
                () -> only(opsMessages("one-01"), m -> "firing".equals(text(m, "state"))));
        assertEquals(RULE, text(firing, "rule"));
        List<WebhookReceiver.Request> deliveries = opsHook.requests().stream()
                .filter(r -> text(firing, "id").equals(r.id())).toList();
        assertEquals(1, deliveries.size(), "delivered once");
        assertTrue(deliveries.get(0).signatureValid(), "signed with the receiver's secret");

        // ... and Alertmanager told its own receiver.
        JsonNode notified = await("Alertmanager's firing notification for rsyslog-one", WAIT,
                () -> only(amNotifications("rsyslog-one"), n -> "firing".equals(text(n, "status"))));
        assertEquals(Set.of("one-01"), hosts(notified));

        // 2. Synced again: the resolved message ends the alert in Alertmanager at once.
        synced("rsyslog-one", "one-01");
        JsonNode resolved = await("the resolved message of one-01 on the webhook", WAIT,
                () -> only(opsMessages("one-01"), m -> "resolved".equals(text(m, "state"))));
        Instant resolvedAt = Instant.parse(text(resolved, "created_at"));
        // Sent together with the webhook's: well before Alertmanager's own resolve_timeout would end it.
        await("one-01 gone from Alertmanager's open alerts", RESOLVE_TIMEOUT.dividedBy(2),
                () -> alertmanager.alerts("host=\"one-01\"").isEmpty() ? true : null);
        JsonNode amResolved = await("Alertmanager's resolved notification for rsyslog-one", WAIT,
                () -> only(amNotifications("rsyslog-one"), n -> "resolved".equals(text(n, "status"))));
        JsonNode ended = amResolved.get("alerts").get(0);
        assertEquals("resolved", text(ended, "status"));
        assertEquals(Set.of("one-01"), hosts(amResolved));
        assertEquals(resolvedAt, Instant.parse(text(ended, "endsAt")),
                "the alert ends when the notifier resolved it (its endsAt), not at Alertmanager's timeout");
        assertEquals(2, opsMessages("one-01").size(), "one firing and one resolved message, nothing more");
    }

    @Test
    @Order(2)
    void alertmanagerGroupsTheHostsByServerGroup() throws Exception {
        pipeline("rsyslog-east", "east-01", "abc2001");
        pipeline("rsyslog-east", "east-02", "abc2001");
        pipeline("rsyslog-west", "west-01", "abc2002");
        drift("rsyslog-east", "east-01", "/etc/rsyslog.conf");
        drift("rsyslog-east", "east-02", "/etc/rsyslog.conf");
        drift("rsyslog-west", "west-01", "/etc/rsyslog.d/10-west.conf");

        JsonNode east = await("Alertmanager's notification for rsyslog-east", WAIT,
                () -> only(amNotifications("rsyslog-east"), n -> true));
        JsonNode west = await("Alertmanager's notification for rsyslog-west", WAIT,
                () -> only(amNotifications("rsyslog-west"), n -> true));
        assertEquals("firing", text(east, "status"));
        assertEquals(Set.of("east-01", "east-02"), hosts(east), "both hosts of the group in one notification");
        assertEquals(Map.of("server_group", "rsyslog-east"), strings(east.get("groupLabels")));
        assertTrue(text(east, "groupKey").contains("server_group=\"rsyslog-east\""), text(east, "groupKey"));
        assertEquals(Map.of("alertname", RULE, "server_group", "rsyslog-east", "environment", "prod"),
                strings(east.get("commonLabels")));
        assertEquals("firing", text(west, "status"));
        assertEquals(Set.of("west-01"), hosts(west), "the other group in a notification of its own");
        assertTrue(text(west, "groupKey").contains("server_group=\"rsyslog-west\""), text(west, "groupKey"));
        for (JsonNode notification : amNotifications(null)) {
            Set<String> groups = new TreeSet<>();
            notification.get("alerts").forEach(a -> groups.add(a.get("labels").get("server_group").textValue()));
            assertEquals(1, groups.size(), "no notification mixes groups: " + notification);
        }
        assertEquals(2, alertmanager.alerts("server_group=\"rsyslog-east\"").size());
    }

    @Test
    @Order(3)
    void anOpenAlertOutlivesAlertmanagersResolveTimeout() throws Exception {
        // steady-01 drifted when the class started; Alertmanager would end an alert it does not hear
        // of again within its resolve_timeout (10 s): the notifier re-sends it every 5 s.
        JsonNode firing = await("the firing message of steady-01 on the webhook", WAIT,
                () -> only(opsMessages("steady-01"), m -> "firing".equals(text(m, "state"))));
        Instant sent = Instant.parse(text(firing, "created_at"));
        Instant until = sent.plus(RESOLVE_TIMEOUT).plus(RESEND);
        JsonNode alert;
        do {
            alert = only(alertmanager.alerts("host=\"steady-01\""), a -> true);
            if (alert == null || !"active".equals(state(alert))) {
                fail("steady-01 not active in Alertmanager " + Duration.between(sent, Instant.now()).toMillis()
                        + " ms after it fired: " + alert + diagnostics());
            }
            Thread.sleep(500);
        } while (Instant.now().isBefore(until));
        Instant updated = Instant.parse(text(alert, "updatedAt"));
        assertTrue(updated.isAfter(sent.plus(RESEND)), "sent again since it fired: updated at " + updated
                + ", fired at " + sent);
        assertTrue(Instant.parse(text(alert, "endsAt")).isAfter(Instant.now()), alert.toString());
        assertEquals(List.of("firing"), amNotifications("rsyslog-steady").stream().map(n -> text(n, "status"))
                .toList(), "Alertmanager notified it once, and never as resolved");
        assertEquals(1, opsMessages("steady-01").size(), "the webhook got one message: re-sending is Alertmanager's");
    }

    // --- reports, with the real curl -------------------------------------------------------------

    private void pipeline(String group, String host, String sha) throws Exception {
        curl("/status/pipeline", """
                {"project_name": "gitops-for-servers", "repo_name": "rsyslog", "server_group": "%s",
                 "server_type": "rsyslog", "environment": "prod", "host": "%s", "status": "synced",
                 "changed_files": [], "validation_status": "passed",
                 "validation_message": "rsyslog syntax validation passed", "commit_sha": "%s"}
                """.formatted(group, host, sha));
    }

    private void drift(String group, String host, String... files) throws Exception {
        StringBuilder list = new StringBuilder();
        for (String file : files) {
            list.append(list.isEmpty() ? "" : ", ").append('"').append(file).append('"');
        }
        curl("/status/cron", """
                {"server_group": "%s", "host": "%s", "status": "out_of_sync", "changed_files": [%s],
                 "last_cron_check": "%s"}
                """.formatted(group, host, list, Instant.now()));
    }

    private void synced(String group, String host) throws Exception {
        curl("/status/cron", """
                {"server_group": "%s", "host": "%s", "status": "synced", "changed_files": [],
                 "last_cron_check": "%s"}
                """.formatted(group, host, Instant.now()));
    }

    /** {@code curl -sS -X POST -H 'Content-Type: application/json' --data <json> <app><path>}: answered 200. */
    private void curl(String path, String json) throws Exception {
        Process process = new ProcessBuilder(curl.toString(), "-sS", "-X", "POST",
                "-H", "Content-Type: application/json", "--data", json, "-w", "\n%{http_code}",
                app.base().resolve(path).toString()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "curl ended");
        assertEquals(0, process.exitValue(), "curl " + path + ": " + output);
        assertTrue(output.endsWith("\n200"), "curl " + path + " " + json + ": " + output);
    }

    // --- what the receivers got ----------------------------------------------------------------------

    /** The distinct messages (by id) the webhook received about {@code host}. */
    private List<JsonNode> opsMessages(String host) {
        List<JsonNode> about = new ArrayList<>();
        for (JsonNode message : opsHook.messages()) {
            for (JsonNode entry : message.get("hosts")) {
                if (host.equals(text(entry, "host"))) {
                    about.add(message);
                    break;
                }
            }
        }
        return about;
    }

    /** Alertmanager's notifications to the test's webhook for one server group ({@code null}: all). */
    private List<JsonNode> amNotifications(String group) {
        return amHook.requests().stream().map(WebhookReceiver.Request::json)
                .filter(n -> group == null || group.equals(n.path("groupLabels").path("server_group").textValue()))
                .toList();
    }

    private static Set<String> hosts(JsonNode notification) {
        Set<String> hosts = new TreeSet<>();
        notification.get("alerts").forEach(a -> hosts.add(a.get("labels").get("host").textValue()));
        return hosts;
    }

    /** The one element matching, {@code null} when none; more than one fails. */
    private static JsonNode only(Iterable<JsonNode> nodes, Predicate<JsonNode> which) {
        List<JsonNode> found = new ArrayList<>();
        nodes.forEach(n -> {
            if (which.test(n)) {
                found.add(n);
            }
        });
        assertTrue(found.size() <= 1, "one at most: " + found);
        return found.isEmpty() ? null : found.get(0);
    }

    private static String state(JsonNode alert) {
        return alert.path("status").path("state").textValue();
    }

    private static String text(JsonNode node, String field) {
        return node.path(field).textValue();
    }

    private static Map<String, String> strings(JsonNode object) {
        Map<String, String> map = new TreeMap<>();
        object.fields().forEachRemaining(e -> map.put(e.getKey(), e.getValue().textValue()));
        return map;
    }

    /** Polls {@code probe} until it answers non-null; fails with what everyone holds after {@code within}. */
    private <T> T await(String what, Duration within, Callable<T> probe) throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        while (true) {
            T found = probe.call();
            if (found != null) {
                return found;
            }
            if (System.nanoTime() > deadline) {
                fail(what + ": not within " + within + diagnostics());
            }
            Thread.sleep(200);
        }
    }

    private String diagnostics() {
        StringBuilder s = new StringBuilder();
        try {
            s.append("\n--- Alertmanager's alerts: ").append(alertmanager.alerts());
        } catch (IOException | InterruptedException e) {
            s.append("\n--- Alertmanager's alerts: ").append(e);
        }
        s.append("\n--- Alertmanager's notifications: ").append(amNotifications(null));
        s.append("\n--- webhook messages: ").append(opsHook.messages());
        try {
            s.append("\n--- GET /notifications: ").append(app.get("/notifications").body());
        } catch (IOException | InterruptedException e) {
            s.append("\n--- GET /notifications: ").append(e);
        }
        s.append("\n--- Alertmanager's log:\n").append(alertmanager.logTail());
        try {
            List<String> log = Files.readAllLines(dir.resolve("app.log"), StandardCharsets.UTF_8);
            s.append("\n--- the application's log:\n")
                    .append(String.join("\n", log.subList(Math.max(0, log.size() - 30), log.size())));
        } catch (IOException e) {
            s.append("\n--- the application's log: ").append(e);
        }
        return s.toString();
    }
}
