package io.gitops.status.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.gitops.status.json.Json;
import io.gitops.status.notify.WebhookReceiver;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * What the notification tests over real server processes share: the rules file, reports that
 * drift or sync a host, which process sends, polling with a deadline, and what the webhook
 * receiver got, by message id and by host and state.
 */
final class NotifySupport {

    static final String GROUP = "web-a";

    private NotifySupport() {
    }

    /** Fires on out_of_sync and failed in web-*, resolves when synced; retries every second or two. */
    static Path rulesFile(Path dir, URI hook) throws IOException {
        Path rules = dir.resolve("notify.yaml");
        Files.writeString(rules, """
                delivery: {attempts: 20, backoff: PT1S, max_backoff: PT2S, timeout: PT5S}
                receivers:
                  - name: ops
                    webhook: {url: "%s"}
                rules:
                  - name: drift
                    match: {server_group: "web-*"}
                    on: [out_of_sync, failed]
                    receivers: [ops]
                """.formatted(hook));
        return rules;
    }

    /** A server's JVM options: small, quick to start, notifying on {@code rules}, and {@code more}. */
    static List<String> jvm(Path rules, String... more) {
        List<String> options = new ArrayList<>(List.of("-Xmx256m", "-XX:TieredStopAtLevel=1",
                "-Dgitops.notify.file=" + rules));
        options.addAll(List.of(more));
        return options;
    }

    static List<String> hosts(String prefix, int count) {
        List<String> hosts = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            hosts.add(prefix + i);
        }
        return hosts;
    }

    /** A deployment (pipeline, synced), then a drift check that finds the host out_of_sync; both acknowledged. */
    static void drift(ServerProcess server, String host) throws IOException, InterruptedException {
        ok(server.post("/status/pipeline", "{\"server_group\":\"" + GROUP + "\",\"host\":\"" + host
                + "\",\"status\":\"synced\",\"commit_sha\":\"abc123\"}"));
        ok(server.post("/status/cron", "{\"server_group\":\"" + GROUP + "\",\"host\":\"" + host
                + "\",\"status\":\"out_of_sync\",\"changed_files\":[\"/etc/nginx/nginx.conf\"]}"));
    }

    /** A drift check that finds the host synced again. */
    static void sync(ServerProcess server, String host) throws IOException, InterruptedException {
        ok(server.post("/status/cron", "{\"server_group\":\"" + GROUP + "\",\"host\":\"" + host
                + "\",\"status\":\"synced\",\"changed_files\":[]}"));
    }

    private static void ok(HttpResponse<String> response) {
        assertEquals(200, response.statusCode(), response.body());
    }

    static JsonNode notifications(ServerProcess server) throws IOException, InterruptedException {
        HttpResponse<String> response = server.get("/notifications");
        assertEquals(200, response.statusCode(), response.body());
        return Json.mapper().readTree(response.body());
    }

    /**
     * The one of {@code servers} that says it sends, once one does; never two at a time. A process
     * takes the lease on its next look, about a second after it is free.
     */
    static ServerProcess awaitSender(List<ServerProcess> servers, Duration within) throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        while (true) {
            List<ServerProcess> sending = new ArrayList<>();
            for (ServerProcess server : servers) {
                if (notifications(server).get("this_process_sends").booleanValue()) {
                    sending.add(server);
                }
            }
            assertTrue(sending.size() <= 1, "two processes say they send");
            if (sending.size() == 1) {
                return sending.get(0);
            }
            if (System.nanoTime() > deadline) {
                fail("no process sends after " + within.toSeconds() + " s");
            }
            Thread.sleep(100);
        }
    }

    /** Polls {@code condition} every 100 ms until it holds; fails, saying what, after {@code within}. */
    static void await(Duration within, Supplier<String> what, Condition condition) throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.holds()) {
            if (System.nanoTime() > deadline) {
                fail("not within " + within.toSeconds() + " s: " + what.get());
            }
            Thread.sleep(100);
        }
    }

    interface Condition {
        boolean holds() throws Exception;
    }

    /** The sender's own view, once its state is saved with {@code firing} hosts firing and nothing waiting. */
    static void awaitSaved(ServerProcess sender, int firing) throws Exception {
        await(Duration.ofSeconds(20), () -> "the sender's state: " + view(sender), () -> {
            JsonNode view = notifications(sender);
            int fired = 0;
            for (JsonNode open : view.get("open")) {
                fired += "firing".equals(open.get("state").textValue()) ? 1 : 0;
            }
            return view.get("this_process_sends").booleanValue() && fired == firing
                    && view.get("waiting_count").intValue() == 0;
        });
    }

    private static String view(ServerProcess server) {
        try {
            return notifications(server).toString();
        } catch (Exception e) {
            return e.toString();
        }
    }

    /** Each distinct message received, by id: its state and hosts. */
    record Received(String id, String state, List<String> hosts) {
    }

    static Map<String, Received> byId(WebhookReceiver hook) {
        Map<String, Received> messages = new LinkedHashMap<>();
        for (WebhookReceiver.Request request : hook.requests()) {
            JsonNode json = request.json();
            assertEquals(request.id(), json.get("id").textValue(), "the id header is the body's id");
            List<String> hosts = new ArrayList<>();
            json.get("hosts").forEach(h -> hosts.add(h.get("host").textValue()));
            messages.putIfAbsent(request.id(), new Received(request.id(), json.get("state").textValue(), hosts));
        }
        return messages;
    }

    /** The distinct message ids received for each host and state ("web-3 firing"). */
    static Map<String, Set<String>> idsByHostAndState(WebhookReceiver hook) {
        Map<String, Set<String>> ids = new TreeMap<>();
        for (Received message : byId(hook).values()) {
            for (String host : message.hosts()) {
                ids.computeIfAbsent(host + " " + message.state(), k -> new LinkedHashSet<>()).add(message.id());
            }
        }
        return ids;
    }

    /** The hosts with a message of {@code state} received. */
    static Set<String> hostsNotified(WebhookReceiver hook, String state) {
        Set<String> hosts = new java.util.TreeSet<>();
        byId(hook).values().stream().filter(m -> m.state().equals(state)).forEach(m -> hosts.addAll(m.hosts()));
        return hosts;
    }

    /** How many times each id arrived. */
    static Map<String, Integer> arrivals(WebhookReceiver hook) {
        Map<String, Integer> counts = new HashMap<>();
        hook.requests().forEach(r -> counts.merge(r.id(), 1, Integer::sum));
        return counts;
    }

    /** Every host and state notified by one message only (never two ids for one transition). */
    static void assertOneMessagePerHostAndState(WebhookReceiver hook) {
        Map<String, Set<String>> ids = idsByHostAndState(hook);
        ids.forEach((hostState, messageIds) -> assertEquals(1, messageIds.size(),
                hostState + " was notified by several messages: " + messageIds + "; all: " + ids));
    }
}
