package io.gitops.status.notify;

import static io.gitops.status.notify.NotifyFixture.hosts;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@code digest} (the hosts of a group in one message) and {@code repeat} (reminders while open). */
class DigestTest extends NotifierTestCase {

    private void rules(String ruleExtra) throws Exception {
        fixture.rules("""
                receivers:
                  - name: ops
                    webhook: {url: "%s"}
                rules:
                  - name: drift
                    on: [out_of_sync]
                    receivers: [ops]
                %s""".formatted(hook.url(), ruleExtra.indent(4)));
    }

    private void synced(String group, String... hosts) {
        for (String host : hosts) {
            fixture.pipeline(group, host, "synced");
        }
    }

    private void advance(int seconds) {
        fixture.clock.advance(Duration.ofSeconds(seconds));
    }

    @Test
    void hostsOfAGroupFiringWithinTheWindowGoInOneMessage() throws Exception {
        rules("digest: PT1M\n");
        synced("g1", "a", "b", "c", "d");
        synced("g2", "x");
        try (Notifier notifier = fixture.notifier()) {
            notifier.look();
            fixture.cron("g1", "a", "out_of_sync"); // t0: the window of g1 opens
            notifier.look();
            advance(20);
            fixture.cron("g1", "b", "out_of_sync");
            fixture.cron("g2", "x", "out_of_sync"); // t0+20: g2's own window
            notifier.look();
            advance(20);
            fixture.cron("g1", "c", "out_of_sync");
            notifier.look();
            advance(19);
            notifier.look();
            assertEquals(List.of(), hook.requests(), "the digest waits for its window");

            advance(1); // t0+60
            notifier.look();
            assertEquals(1, hook.messages().size());
            JsonNode g1 = hook.messages().get(0);
            assertEquals("firing", g1.get("state").asText());
            assertEquals(Set.of("g1/a", "g1/b", "g1/c"), hosts(g1));

            advance(20); // t0+80
            notifier.look();
            assertEquals(2, hook.messages().size());
            assertEquals(Set.of("g2/x"), hosts(hook.messages().get(1)));

            fixture.cron("g1", "d", "out_of_sync"); // after g1's window: a digest of its own
            notifier.look();
            advance(59);
            notifier.look();
            assertEquals(2, hook.messages().size());
            advance(1);
            notifier.look();
            assertEquals(3, hook.messages().size());
            assertEquals(Set.of("g1/d"), hosts(hook.messages().get(2)));
            assertEquals(3, hook.requests().size(), "each message sent once");
        }
    }

    @Test
    void hostsOfAGroupResolvingWithinTheWindowGoInOneResolvedMessage() throws Exception {
        rules("digest: PT1M\n");
        synced("g1", "a", "b", "c", "d");
        try (Notifier notifier = fixture.notifier()) {
            for (String host : List.of("a", "b", "c", "d")) {
                fixture.cron("g1", host, "out_of_sync");
            }
            notifier.look();
            advance(60);
            notifier.look();
            assertEquals(Set.of("g1/a", "g1/b", "g1/c", "g1/d"), hosts(hook.messages().get(0)));

            fixture.cron("g1", "a", "synced");
            fixture.cron("g1", "b", "synced");
            notifier.look();
            advance(30);
            fixture.cron("g1", "c", "synced");
            notifier.look();
            advance(29);
            notifier.look();
            assertEquals(1, hook.messages().size(), "the resolved digest waits for its window");
            advance(1);
            notifier.look();
            notifier.look();
            assertEquals(2, hook.requests().size());
            JsonNode resolved = hook.messages().get(1);
            assertEquals("resolved", resolved.get("state").asText());
            assertEquals(Set.of("g1/a", "g1/b", "g1/c"), hosts(resolved));
            resolved.get("hosts").forEach(h -> assertEquals("synced", h.get("status").asText()));
            assertEquals(1, notifier.view().openCount(), "g1/d stays open");
        }
    }

    @Test
    void repeatRemindsWhileOpenAndStopsOnceResolved() throws Exception {
        rules("repeat: PT1H\n");
        synced("g1", "a");
        try (Notifier notifier = fixture.notifier()) {
            fixture.cron("g1", "a", "out_of_sync");
            notifier.look();
            advance(3599);
            notifier.look();
            assertEquals(1, hook.messages().size());
            advance(1);
            notifier.look();
            notifier.look();
            advance(3600);
            notifier.look();
            List<JsonNode> messages = hook.messages();
            assertEquals(3, messages.size());
            assertFalse(messages.get(0).get("reminder").asBoolean());
            for (JsonNode reminder : messages.subList(1, 3)) {
                assertEquals("firing", reminder.get("state").asText());
                assertTrue(reminder.get("reminder").asBoolean());
                assertEquals(Set.of("g1/a"), hosts(reminder));
                assertEquals(messages.get(0).get("hosts").get(0).get("since"),
                        reminder.get("hosts").get(0).get("since"));
            }
            assertNotEquals(messages.get(1).get("id"), messages.get(2).get("id"), "each reminder is a message");

            fixture.cron("g1", "a", "synced");
            notifier.look();
            advance(3 * 3600);
            notifier.look();
            assertEquals(4, hook.requests().size(), "no reminder after resolved");
            assertEquals("resolved", hook.messages().get(3).get("state").asText());
        }
    }

    @Test
    void withADigestTheRemindersOfAGroupGoTogether() throws Exception {
        rules("digest: PT1M\nrepeat: PT1H\n");
        synced("g1", "a", "b");
        synced("g2", "x");
        try (Notifier notifier = fixture.notifier()) {
            fixture.cron("g1", "a", "out_of_sync");
            fixture.cron("g1", "b", "out_of_sync");
            fixture.cron("g2", "x", "out_of_sync");
            notifier.look();
            advance(60);
            notifier.look();
            assertEquals(2, hook.messages().size());
            advance(3599);
            notifier.look();
            assertEquals(2, hook.messages().size());
            advance(1);
            notifier.look();
            List<JsonNode> reminders = hook.messages().subList(2, hook.messages().size());
            assertEquals(2, reminders.size(), "one reminder per group");
            reminders.forEach(r -> assertTrue(r.get("reminder").asBoolean()));
            assertEquals(Set.of(Set.of("g1/a", "g1/b"), Set.of("g2/x")),
                    Set.of(hosts(reminders.get(0)), hosts(reminders.get(1))));
        }
    }
}
