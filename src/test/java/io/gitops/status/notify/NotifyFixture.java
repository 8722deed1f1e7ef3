package io.gitops.status.notify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gitops.status.api.Staleness;
import io.gitops.status.api.Timestamps;
import io.gitops.status.json.Json;
import io.gitops.status.store.FileStatusStore;
import io.gitops.status.store.StatusStore;
import io.gitops.status.update.AttributedUpdate;
import io.gitops.status.update.Deletion;
import io.gitops.status.update.DriftUpdate;
import io.gitops.status.update.InputRules;
import io.gitops.status.update.PipelineUpdate;
import io.gitops.status.update.Update;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * A store in a folder, a rules file beside it and notifiers over them, driven look by look with a
 * {@link MutableClock}: what the tests of the notifier's behaviour share.
 */
final class NotifyFixture implements AutoCloseable {

    static final Duration STALE_AFTER = Duration.ofMinutes(30);
    private static final InputRules INPUT = new InputRules(10_000, 1 << 20, Set.of());

    final Path dir;
    final Path rulesFile;
    final MutableClock clock = new MutableClock();
    final StatusStore store;

    NotifyFixture(Path dir) {
        this.dir = dir;
        this.rulesFile = dir.resolve("rules.yaml");
        this.store = new FileStatusStore(dir.resolve("status.json"));
    }

    NotifyFixture rules(String yaml) throws IOException {
        Files.writeString(rulesFile, yaml);
        return this;
    }

    /** A notifier over the store (not started: the test calls {@link Notifier#look()}). */
    Notifier notifier() {
        return notifier(store);
    }

    Notifier notifier(StatusStore over) {
        return new Notifier(new RulesFile(rulesFile), over, new Staleness(STALE_AFTER, clock), 20, clock);
    }

    /**
     * A pipeline report of {@code status}, as POST /status writes it. Every write catches the test
     * clock up with the real one, which dates the record: a record is never newer than the clock.
     */
    void pipeline(String group, String host, String status, String... extra) {
        ObjectNode body = Json.mapper().createObjectNode().put("server_group", group).put("host", host)
                .put("status", status).put("environment", "prod");
        for (int i = 0; i < extra.length; i += 2) {
            body.put(extra[i], extra[i + 1]);
        }
        store.write(new AttributedUpdate(PipelineUpdate.parse(body, INPUT), null, 20));
        clock.catchUp();
    }

    /** Pipeline reports of {@code status} for hosts {@code host-0} to {@code host-<hosts - 1>} of {@code group}, in one batch. */
    void pipelineAll(String group, int hosts, String status) {
        List<Update> updates = new ArrayList<>();
        for (int i = 0; i < hosts; i++) {
            ObjectNode body = Json.mapper().createObjectNode().put("server_group", group).put("host", "host-" + i)
                    .put("status", status).put("environment", "prod");
            updates.add(new AttributedUpdate(PipelineUpdate.parse(body, INPUT), null, 20));
        }
        store.writeAll(updates);
        clock.catchUp();
    }

    /**
     * A drift check of {@code status}, as POST /status/cron writes it. Its last_cron_check is the test
     * clock's now (the check says when it ran), so that staleness follows the clock the test moves.
     */
    void cron(String group, String host, String status, String... changedFiles) {
        clock.catchUp();
        String checkedAt = clock.instant().truncatedTo(ChronoUnit.MILLIS).toString();
        ObjectNode body = Json.mapper().createObjectNode().put("server_group", group).put("host", host)
                .put("status", status).put("last_cron_check", checkedAt);
        body.putArray("changed_files").addAll(java.util.Arrays.stream(changedFiles)
                .map(f -> Json.mapper().getNodeFactory().textNode(f)).toList());
        store.write(new AttributedUpdate(DriftUpdate.parse(body, INPUT), null, 20));
        clock.catchUp();
    }

    void delete(String group, String host) {
        store.write(new Deletion(group, host));
        clock.catchUp();
    }

    /**
     * Waits until the store's clock (real time, to the second) has moved on, so that the next write
     * gets a timestamp of its own: a new report for {@code after}. Then catches the test clock up.
     */
    void nextSecond() throws InterruptedException {
        String now = Timestamps.now();
        while (Timestamps.now().equals(now)) {
            Thread.sleep(20);
        }
        clock.catchUp();
    }

    /** The {@code server_group/host} of each host of a message. */
    static Set<String> hosts(JsonNode message) {
        Set<String> hosts = new TreeSet<>();
        message.get("hosts").forEach(h -> hosts.add(h.get("server_group").asText() + "/" + h.get("host").asText()));
        return hosts;
    }

    @Override
    public void close() {
        store.close();
    }
}
