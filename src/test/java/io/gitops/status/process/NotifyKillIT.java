package io.gitops.status.process;

import static io.gitops.status.process.NotifySupport.arrivals;
import static io.gitops.status.process.NotifySupport.assertOneMessagePerHostAndState;
import static io.gitops.status.process.NotifySupport.await;
import static io.gitops.status.process.NotifySupport.awaitSaved;
import static io.gitops.status.process.NotifySupport.drift;
import static io.gitops.status.process.NotifySupport.hosts;
import static io.gitops.status.process.NotifySupport.hostsNotified;
import static io.gitops.status.process.NotifySupport.jvm;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gitops.status.notify.WebhookReceiver;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sending process SIGKILLed in the middle of its deliveries, then a new one started on the
 * same data file: the message in flight is delivered again under the same id, the ones delivered
 * before are not, and every drift acknowledged before the kill is notified.
 */
class NotifyKillIT {

    @TempDir
    Path dir;

    private final List<ServerProcess> started = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (ServerProcess server : started) {
            server.close();
        }
    }

    /**
     * Three hosts already out of sync when the notifier starts, so that one look queues their three
     * messages: the receiver answers two and holds the third open, and the sender is killed then.
     */
    @Test
    void theMessageInFlightIsDeliveredAfterARestartWithTheSameIdAndNoDeliveredOneAgain() throws Exception {
        Path data = dir.resolve("status.json");
        List<String> hosts = hosts("web-", 3);
        try (ServerProcess seed = ServerProcess.start(data, dir.resolve("seed.log"))) { // notifies nothing
            for (String host : hosts) {
                drift(seed, host);
            }
        }
        try (WebhookReceiver hook = new WebhookReceiver(null)) {
            Path rules = NotifySupport.rulesFile(dir, hook.url());
            hook.hold(2);
            ServerProcess first = start(data, "first.log", jvm(rules));
            WebhookReceiver.Request inFlight = hook.awaitHeld(Duration.ofSeconds(20));
            assertNotNull(inFlight, "a third message arrived: " + hook.requests());
            first.kill();
            List<String> delivered = hook.answered();
            assertEquals(2, delivered.size(), "answered before the kill: " + delivered);
            hook.release();

            ServerProcess second = start(data, "second.log", jvm(rules));
            await(Duration.ofSeconds(20), () -> "the message in flight again: " + hook.requests(),
                    () -> arrivals(hook).getOrDefault(inFlight.id(), 0) == 2);
            awaitSaved(second, hosts.size());

            assertEquals(new TreeSet<>(hosts), hostsNotified(hook, "firing"));
            assertOneMessagePerHostAndState(hook);
            Map<String, Integer> arrivals = arrivals(hook);
            assertEquals(3, arrivals.size(), "three messages: " + arrivals);
            for (String id : delivered) {
                assertEquals(1, arrivals.get(id), "delivered before the kill, and sent again after it: " + id);
            }
            assertEquals(2, arrivals.get(inFlight.id()), "the message in flight, sent again with its id");
        }
    }

    /**
     * Twenty hosts drifted (the first half paced, so that the notifier is sending by then, the rest
     * as fast as the server acknowledges) to a slow receiver, the sender SIGKILLed right after the
     * last acknowledgement: after a restart every host is notified, by one message each, and at
     * most the one message in flight at the kill arrives twice.
     */
    @Test
    void everyDriftAcknowledgedBeforeAKillIsNotifiedAfterTheRestart() throws Exception {
        Path data = dir.resolve("status.json");
        List<String> hosts = hosts("web-", 20);
        try (WebhookReceiver hook = new WebhookReceiver(null)) {
            Path rules = NotifySupport.rulesFile(dir, hook.url());
            hook.delay(Duration.ofMillis(100));
            ServerProcess first = start(data, "first.log", jvm(rules));
            for (int i = 0; i < hosts.size(); i++) {
                drift(first, hosts.get(i));
                if (i < hosts.size() / 2) {
                    Thread.sleep(150); // the first half paced, so that deliveries are under way at the kill
                }
            }
            first.kill();
            int beforeKill = hook.requests().size();

            ServerProcess second = start(data, "second.log", jvm(rules));
            Set<String> all = new TreeSet<>(hosts);
            await(Duration.ofSeconds(30), () -> "firing for every host: " + hostsNotified(hook, "firing"),
                    () -> hostsNotified(hook, "firing").equals(all));
            awaitSaved(second, hosts.size());
            System.out.println(beforeKill + " request(s) had arrived when the sender was killed, "
                    + hook.requests().size() + " in all");

            assertOneMessagePerHostAndState(hook);
            Map<String, Integer> arrivals = arrivals(hook);
            List<String> again = arrivals.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).toList();
            assertTrue(again.size() <= 1, "only the message in flight may arrive twice: " + arrivals);
            again.forEach(id -> assertEquals(2, arrivals.get(id), id));
        }
    }

    private ServerProcess start(Path data, String log, List<String> options) throws Exception {
        ServerProcess server = ServerProcess.start(data, dir.resolve(log), options);
        started.add(server);
        return server;
    }
}
