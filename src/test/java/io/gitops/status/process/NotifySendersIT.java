package io.gitops.status.process;

import static io.gitops.status.process.NotifySupport.assertOneMessagePerHostAndState;
import static io.gitops.status.process.NotifySupport.await;
import static io.gitops.status.process.NotifySupport.awaitSaved;
import static io.gitops.status.process.NotifySupport.awaitSender;
import static io.gitops.status.process.NotifySupport.drift;
import static io.gitops.status.process.NotifySupport.hosts;
import static io.gitops.status.process.NotifySupport.hostsNotified;
import static io.gitops.status.process.NotifySupport.jvm;
import static io.gitops.status.process.NotifySupport.sync;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gitops.status.TestPostgres;
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
 * Two server processes on one store (one data file, or one PostgreSQL database) with the same
 * notification rules, drift reported through both: one process sends, and the webhook gets each
 * message once. When the sender is SIGKILLed, the other takes over within seconds, sends the
 * resolved messages, and sends nothing already delivered again.
 */
class NotifySendersIT {

    private static final int HOSTS = 8;

    @TempDir
    Path dir;

    private final List<ServerProcess> started = new ArrayList<>();
    private TestPostgres.Database db;

    @AfterEach
    void stop() throws Exception {
        for (ServerProcess server : started) {
            server.close();
        }
        if (db != null) {
            db.drop();
        }
    }

    @Test
    void twoProcessesOnOneDataFileSendEachMessageOnceAndTheOtherTakesOverWhenTheSenderIsKilled() throws Exception {
        oneSenderAndATakeOver(List.of());
    }

    @Test
    void twoProcessesOnOneDatabaseSendEachMessageOnceAndTheOtherTakesOverWhenTheSenderIsKilled() throws Exception {
        db = TestPostgres.database(NotifySendersIT.class.getSimpleName());
        oneSenderAndATakeOver(List.of("-Dgitops.store.url=" + db.jdbcUrl()));
    }

    /**
     * Three hosts out of sync before the notifiers start, so that the first sender's first look
     * queues three messages; the receiver answers the first and holds the second open, and the
     * sender's lease session is terminated then (pg_terminate_backend of the backend holding the
     * document's advisory lock). The second message's answer then comes too late: its save fails,
     * the sender stops there, and whichever process holds the lease next sends it again under its
     * id, and the third once.
     */
    @Test
    void onOneDatabaseASenderWhoseLeaseSessionEndsMidDeliveryStopsAndTheNextSenderGoesOn() throws Exception {
        db = TestPostgres.database(NotifySendersIT.class.getSimpleName());
        String url = "-Dgitops.store.url=" + db.jdbcUrl();
        Path data = dir.resolve("unused.json");
        List<String> hosts = hosts("web-", 3);
        try (ServerProcess seed = ServerProcess.start(data, dir.resolve("seed.log"),
                List.of("-Xmx256m", "-XX:TieredStopAtLevel=1", url))) { // notifies nothing
            for (String host : hosts) {
                drift(seed, host);
            }
        }
        try (WebhookReceiver hook = new WebhookReceiver(null)) {
            Path rules = NotifySupport.rulesFile(dir, hook.url());
            hook.hold(1);
            List<String> options = jvm(rules, url);
            ServerProcess a = start(data, "a.log", options);
            ServerProcess b = start(data, "b.log", options);
            WebhookReceiver.Request inFlight = hook.awaitHeld(Duration.ofSeconds(20));
            assertTrue(inFlight != null, "a second message arrived: " + hook.requests());
            String first = hook.answered().get(0);
            terminateLeaseHolder();
            hook.release(); // the sender gets its 200 now, and cannot save it

            await(Duration.ofSeconds(20), () -> "firing for every host: " + hostsNotified(hook, "firing"),
                    () -> hostsNotified(hook, "firing").equals(new TreeSet<>(hosts)));
            awaitSaved(awaitSender(List.of(a, b), Duration.ofSeconds(10)), hosts.size());
            assertOneMessagePerHostAndState(hook);
            Map<String, Integer> arrivals = NotifySupport.arrivals(hook);
            assertEquals(3, arrivals.size(), "three messages: " + arrivals);
            assertEquals(1, arrivals.get(first), "the message delivered before the session ended, once");
            assertEquals(2, arrivals.get(inFlight.id()), "the message in flight, again under its id");
        }
    }

    private void terminateLeaseHolder() throws Exception {
        try (java.sql.Connection c = db.connect(); java.sql.PreparedStatement s = c.prepareStatement(
                "SELECT pg_terminate_backend(l.pid) FROM pg_locks l JOIN pg_database d ON d.oid = l.database"
                + " WHERE l.locktype = 'advisory' AND l.granted AND d.datname = ?"
                + " AND ((l.classid::bigint << 32) | l.objid::bigint) = hashtext('gitops-status:document:notifications')::bigint")) {
            s.setString(1, db.name());
            try (java.sql.ResultSet r = s.executeQuery()) {
                assertTrue(r.next() && r.getBoolean(1), "terminated the backend holding the lease");
                assertTrue(!r.next(), "one backend held it");
            }
        }
    }

    private void oneSenderAndATakeOver(List<String> store) throws Exception {
        try (WebhookReceiver hook = new WebhookReceiver(null)) {
            Path rules = NotifySupport.rulesFile(dir, hook.url());
            Path data = dir.resolve("status.json");
            List<String> options = jvm(rules, store.toArray(String[]::new));
            ServerProcess a = start(data, "a.log", options);
            ServerProcess b = start(data, "b.log", options);
            List<String> hosts = hosts("web-", HOSTS);
            for (int i = 0; i < hosts.size(); i++) {
                drift(i % 2 == 0 ? a : b, hosts.get(i)); // through both processes
            }
            Set<String> all = new TreeSet<>(hosts);
            await(Duration.ofSeconds(20), () -> "firing for every host: " + hostsNotified(hook, "firing"),
                    () -> hostsNotified(hook, "firing").equals(all));
            ServerProcess sender = awaitSender(List.of(a, b), Duration.ofSeconds(5));
            awaitSaved(sender, HOSTS);
            assertOneMessagePerHostAndState(hook);
            assertEquals(HOSTS, hook.requests().size(), "each firing message once: " + hook.requests());

            sender.kill();
            long killed = System.nanoTime();
            ServerProcess other = sender == a ? b : a;
            assertTrue(awaitSender(List.of(other), Duration.ofSeconds(10)) == other);
            long takeOverMillis = (System.nanoTime() - killed) / 1_000_000;
            System.out.println("the other process sends " + takeOverMillis + " ms after the sender was killed");
            for (String host : hosts) {
                sync(other, host);
            }
            await(Duration.ofSeconds(20), () -> "resolved for every host: " + hostsNotified(hook, "resolved"),
                    () -> hostsNotified(hook, "resolved").equals(all));
            awaitSaved(other, 0);

            assertOneMessagePerHostAndState(hook);
            Map<String, Integer> arrivals = NotifySupport.arrivals(hook);
            arrivals.forEach((id, times) -> assertEquals(1, times, "message " + id + " arrived " + times + " times"));
            assertEquals(2 * HOSTS, arrivals.size(), "a firing and a resolved message per host");
        }
    }

    private ServerProcess start(Path data, String log, List<String> options) throws Exception {
        ServerProcess server = ServerProcess.start(data, dir.resolve(log), options);
        started.add(server);
        return server;
    }
}
