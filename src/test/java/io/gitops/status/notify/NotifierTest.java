package io.gitops.status.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.gitops.status.api.Transition;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The notifier's semantics over a real file store and a real webhook receiver, with a clock moved by hand. */
class NotifierTest {

    @TempDir
    Path dir;
    NotifyFixture fixture;
    WebhookReceiver hook;

    @BeforeEach
    void setUp() throws Exception {
        fixture = new NotifyFixture(dir);
        hook = new WebhookReceiver("s3cret");
        Files.writeString(dir.resolve("ops.secret"), "s3cret\n");
    }

    @AfterEach
    void tearDown() {
        hook.close();
        fixture.close();
    }

    private String rules(String ruleExtra) {
        return """
                public_url: https://status.example.com/gitops/
                delivery: {attempts: 3, backoff: PT1S, max_backoff: PT4S, timeout: PT5S}
                receivers:
                  - name: ops
                    webhook: {url: "%s", secret_file: ops.secret}
                rules:
                  - name: prod-drift
                    match: {server_group: "rsyslog-*", environment: prod}
                    on: [out_of_sync, failed, stale]
                    receivers: [ops]
                %s""".formatted(hook.url(), ruleExtra.indent(4));
    }

    @Test
    void aDriftThatHoldsFiresOnceSignedAndResolvesWhenSynced() throws Exception {
        fixture.rules(rules("for: PT4M\n"));
        try (Notifier notifier = fixture.notifier()) {
            fixture.pipeline("rsyslog-prod", "web-1", "synced", "commit_sha", "abc123");
            notifier.look();
            fixture.cron("rsyslog-prod", "web-1", "out_of_sync", "/etc/rsyslog.conf");
            fixture.clock.catchUp();
            notifier.look();
            fixture.clock.advance(Duration.ofMinutes(3));
            notifier.look();
            assertEquals(List.of(), hook.requests(), "fired before for: PT4M");
            fixture.clock.advance(Duration.ofMinutes(1).plusSeconds(1));
            notifier.look();
            notifier.look();
            assertEquals(1, hook.requests().size());
            WebhookReceiver.Request firing = hook.requests().get(0);
            assertTrue(firing.signatureValid(), "signature");
            JsonNode body = firing.json();
            assertEquals(firing.id(), body.get("id").asText());
            assertEquals("prod-drift", body.get("rule").asText());
            assertEquals("firing", body.get("state").asText());
            JsonNode host = body.get("hosts").get(0);
            assertEquals("web-1", host.get("host").asText());
            assertEquals("out_of_sync", host.get("status").asText());
            assertEquals("synced", host.get("previous_status").asText());
            assertEquals("/etc/rsyslog.conf", host.get("changed_files").get(0).asText());
            assertEquals("abc123", host.get("commit_sha").asText());
            assertEquals("https://status.example.com/gitops/ui/#host=rsyslog-prod%2Fweb-1", host.get("url").asText());

            fixture.cron("rsyslog-prod", "web-1", "synced");
            fixture.clock.catchUp();
            notifier.look();
            assertEquals(2, hook.requests().size());
            assertEquals("resolved", hook.requests().get(1).json().get("state").asText());
            notifier.look();
            assertEquals(2, hook.requests().size(), "resolved twice");
        }
    }

    @Test
    void aFlapShorterThanForSendsNothing() throws Exception {
        fixture.rules(rules("for: PT4M\n"));
        try (Notifier notifier = fixture.notifier()) {
            fixture.pipeline("rsyslog-prod", "web-1", "synced");
            fixture.cron("rsyslog-prod", "web-1", "out_of_sync");
            notifier.look();
            fixture.clock.advance(Duration.ofMinutes(2));
            fixture.cron("rsyslog-prod", "web-1", "synced");
            notifier.look();
            fixture.clock.advance(Duration.ofMinutes(10));
            notifier.look();
            assertEquals(List.of(), hook.requests());
        }
    }

    @Test
    void resolvedFalseClosesTheNotificationWithoutAMessageAndANewDriftFiresAgain() throws Exception {
        fixture.rules(rules("resolved: false\n"));
        try (Notifier notifier = fixture.notifier()) {
            fixture.pipeline("rsyslog-prod", "web-1", "synced");
            fixture.cron("rsyslog-prod", "web-1", "out_of_sync");
            notifier.look();
            assertEquals(1, hook.requests().size());

            fixture.cron("rsyslog-prod", "web-1", "synced");
            notifier.look();
            fixture.clock.advance(Duration.ofMinutes(5));
            notifier.look();
            assertEquals(1, hook.requests().size(), "no resolved message with resolved: false");
            assertEquals(0, notifier.view().openCount(), "the notification is closed");

            fixture.cron("rsyslog-prod", "web-1", "failed");
            notifier.look();
            List<JsonNode> messages = hook.messages();
            assertEquals(2, messages.size());
            assertEquals("firing", messages.get(1).get("state").asText());
            assertFalse(messages.get(1).get("reminder").asBoolean());
            assertEquals("failed", messages.get(1).get("hosts").get(0).get("status").asText());
            assertNotEquals(messages.get(0).get("id").asText(), messages.get(1).get("id").asText());
        }
    }

    @Test
    void sinceIsTheTransitionFromHistoryNotTheFirstLook() throws Exception {
        fixture.rules(rules("for: PT4M\n"));
        fixture.pipeline("rsyslog-prod", "web-1", "synced");
        fixture.cron("rsyslog-prod", "web-1", "out_of_sync");
        fixture.cron("rsyslog-prod", "web-1", "failed");
        List<Transition> history = fixture.store.find("rsyslog-prod", "web-1").orElseThrow().history();
        Transition intoTrouble = history.get(history.size() - 2);
        assertEquals("out_of_sync", intoTrouble.to());
        Instant since = Instant.parse(intoTrouble.at());
        try (Notifier notifier = fixture.notifier()) {
            fixture.clock.advance(Duration.ofMinutes(3)); // the notifier first looks 3 minutes later
            notifier.look();
            assertEquals(since.toString(), notifier.view().open().get(0).since());
            fixture.clock.advance(Duration.ofMinutes(1).plusSeconds(1)); // 4 min after the transition, 1 after the look
            notifier.look();
            assertEquals(1, hook.requests().size(), "for counts from the transition");
            JsonNode host = hook.requests().get(0).json().get("hosts").get(0);
            assertEquals(since, Instant.parse(host.get("since").asText()));
            assertEquals("failed", host.get("status").asText());
            assertEquals("synced", host.get("previous_status").asText(), "the status before the trouble began");
        }
    }

    @Test
    void aNewNotifierDoesNotRestartTheDebounce() throws Exception {
        fixture.rules(rules("for: PT4M\n"));
        fixture.pipeline("rsyslog-prod", "web-1", "synced");
        fixture.cron("rsyslog-prod", "web-1", "out_of_sync");
        String since;
        try (Notifier first = fixture.notifier()) {
            first.look();
            fixture.clock.advance(Duration.ofMinutes(2));
            first.look();
            since = first.view().open().get(0).since();
        }
        assertEquals(List.of(), hook.requests());
        fixture.clock.advance(Duration.ofMinutes(2).plusSeconds(1));
        try (Notifier second = fixture.notifier()) {
            assertEquals(since, second.view().open().get(0).since(), "the watch, read from the saved state");
            second.look();
            assertEquals(1, hook.requests().size(), "fired 4 minutes after the transition, not 4 after the restart");
            assertEquals(since, hook.requests().get(0).json().get("hosts").get(0).get("since").asText());
            second.look();
            assertEquals(1, hook.requests().size());
        }
    }
}
