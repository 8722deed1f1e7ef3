package io.gitops.status.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
}
