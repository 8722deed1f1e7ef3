package io.gitops.status.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import io.gitops.status.json.Json;
import io.gitops.status.update.AttributedUpdate;
import io.gitops.status.update.InputRules;
import io.gitops.status.update.PipelineUpdate;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code docs/notifications.schema.json} against the webhook bodies the notifier really sends:
 * a firing message with changed files (more than a message lists), a commit and labels, its
 * resolution, a digest of one group, a reminder, a resolution by deletion and a stale host, each
 * made by {@link Notifier#look()} over a real store and received by a real HTTP receiver. Every
 * request received must conform; bodies that break the format must not.
 */
class WebhookSchemaTest {

    static final Path SCHEMA = Path.of("docs", "notifications.schema.json");
    private static final InputRules INPUT = new InputRules(10_000, 1 << 20, Set.of());

    @TempDir
    Path dir;
    NotifyFixture fixture;
    WebhookReceiver hook;
    Schema schema;

    @BeforeEach
    void setUp() throws IOException {
        fixture = new NotifyFixture(dir);
        hook = new WebhookReceiver("s3cret");
        Files.writeString(dir.resolve("ops.secret"), "s3cret\n");
        schema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12, builder -> builder
                        .schemaRegistryConfig(SchemaRegistryConfig.builder().formatAssertionsEnabled(true).build()))
                .getSchema(Files.readString(SCHEMA));
    }

    @AfterEach
    void tearDown() {
        hook.close();
        fixture.close();
    }

    private String rules(String top, String rule) {
        return """
                %s
                receivers:
                  - name: ops
                    webhook: {url: "%s", secret_file: ops.secret}
                rules:
                  - name: watched
                    receivers: [ops]
                %s""".formatted(top, hook.url(), rule.indent(4));
    }

    @Test
    void aFiringMessageWithFilesCommitAndLabelsAndItsResolutionConform() throws Exception {
        fixture.rules(rules("public_url: https://status.example.com/gitops", "on: [out_of_sync, failed]\n"));
        try (Notifier notifier = fixture.notifier()) {
            fixture.pipeline("rsyslog-prod", "web-1", "synced", "commit_sha", "abc123");
            notifier.look();
            ObjectNode body = Json.mapper().createObjectNode().put("server_group", "rsyslog-prod").put("host", "web-1")
                    .put("status", "out_of_sync").put("environment", "prod").put("commit_sha", "def456")
                    .put("validation_message", "rsyslogd -N1: ok");
            body.putObject("labels").put("team", "infra").put("site", "fra1");
            for (int i = 0; i < 150; i++) {
                body.withArray("changed_files").add("/etc/rsyslog.d/" + i + ".conf");
            }
            fixture.store.write(new AttributedUpdate(PipelineUpdate.parse(body, INPUT), null, 20));
            fixture.clock.catchUp();
            notifier.look();
            fixture.pipeline("rsyslog-prod", "web-1", "synced", "commit_sha", "def457");
            fixture.clock.catchUp();
            notifier.look();
        }
        List<JsonNode> messages = conformingMessages();
        assertEquals(2, messages.size(), messages.toString());
        JsonNode firing = messages.get(0).get("hosts").get(0);
        assertEquals("firing", messages.get(0).get("state").asText());
        assertEquals(100, firing.get("changed_files").size());
        assertEquals(150, firing.get("changed_files_count").asInt());
        assertEquals("def456", firing.get("commit_sha").asText());
        assertEquals("synced", firing.get("previous_status").asText());
        assertEquals("infra", firing.get("labels").get("team").asText());
        assertEquals("https://status.example.com/gitops/ui/#host=rsyslog-prod%2Fweb-1", firing.get("url").asText());
        assertEquals("resolved", messages.get(1).get("state").asText());
        assertFalse(messages.get(1).get("hosts").get(0).get("deleted").asBoolean());
    }

    @Test
    void aDigestAReminderAndAResolutionByDeletionConform() throws Exception {
        fixture.rules(rules("", "on: [failed]\ndigest: PT1M\nrepeat: PT1H\n"));
        try (Notifier notifier = fixture.notifier()) {
            fixture.pipeline("rsyslog-prod", "web-1", "failed");
            fixture.pipeline("rsyslog-prod", "web-2", "failed");
            fixture.clock.catchUp();
            notifier.look();
            fixture.clock.advance(Duration.ofMinutes(1));
            notifier.look();
            fixture.clock.advance(Duration.ofHours(1));
            notifier.look();
            fixture.delete("rsyslog-prod", "web-1");
            notifier.look();
            fixture.clock.advance(Duration.ofMinutes(1));
            notifier.look();
        }
        List<JsonNode> messages = conformingMessages();
        assertEquals(3, messages.size(), messages.toString());
        JsonNode digest = messages.get(0);
        assertEquals(2, digest.get("hosts").size());
        assertFalse(digest.get("reminder").asBoolean());
        assertTrue(digest.get("hosts").get(0).get("url").isNull(), "no public_url");
        JsonNode reminder = messages.get(1);
        assertTrue(reminder.get("reminder").asBoolean());
        assertEquals("firing", reminder.get("state").asText());
        assertEquals(2, reminder.get("hosts").size());
        JsonNode resolved = messages.get(2);
        assertEquals("resolved", resolved.get("state").asText());
        assertEquals(1, resolved.get("hosts").size());
        JsonNode gone = resolved.get("hosts").get(0);
        assertEquals("web-1", gone.get("host").asText());
        assertTrue(gone.get("deleted").asBoolean());
        assertEquals("failed", gone.get("status").asText());
        assertTrue(gone.get("commit_sha").isNull());
        assertEquals("prod", gone.get("environment").asText());
    }

    @Test
    void aStaleHostConforms() throws Exception {
        fixture.rules(rules("public_url: https://status.example.com/", "on: [stale]\nafter: 3\n"));
        try (Notifier notifier = fixture.notifier()) {
            fixture.pipeline("rsyslog-prod", "web-1", "synced");
            fixture.cron("rsyslog-prod", "web-1", "synced");
            fixture.clock.catchUp();
            notifier.look();
            assertEquals(List.of(), hook.requests());
            fixture.clock.advance(NotifyFixture.STALE_AFTER.plusMinutes(1));
            notifier.look();
        }
        List<JsonNode> messages = conformingMessages();
        assertEquals(1, messages.size(), "after does not hold back a host watched for being stale: " + messages);
        JsonNode host = messages.get(0).get("hosts").get(0);
        assertTrue(host.get("stale").asBoolean());
        assertEquals("synced", host.get("status").asText());
    }

    @Test
    void theSchemaRefusesBrokenBodies() throws Exception {
        ObjectNode valid = (ObjectNode) Json.mapper().readTree("""
                {"id": "1b4e28ba-2fa1-11d2-883f-0016d3cca427", "rule": "prod-drift", "state": "firing",
                 "reminder": false, "created_at": "2026-04-26T11:04:03.120Z", "hosts": [
                  {"server_group": "rsyslog-prod", "host": "web-1", "status": "out_of_sync",
                   "previous_status": "synced", "since": "2026-04-26T11:00:02Z", "stale": false, "deleted": false,
                   "changed_files": ["/etc/rsyslog.conf"], "changed_files_count": 1, "commit_sha": "abc123",
                   "validation_message": null, "environment": "prod", "labels": {}, "url": null}]}
                """);
        assertEquals(List.of(), problems(valid));
        ObjectNode withoutHosts = valid.deepCopy();
        withoutHosts.remove("hosts");
        assertFalse(problems(withoutHosts).isEmpty(), "no hosts");
        ObjectNode noHost = valid.deepCopy();
        noHost.putArray("hosts");
        assertFalse(problems(noHost).isEmpty(), "an empty list of hosts");
        ObjectNode extra = valid.deepCopy();
        extra.put("severity", "high");
        assertFalse(problems(extra).isEmpty(), "an unknown key");
        ObjectNode missingField = valid.deepCopy();
        ((ObjectNode) missingField.get("hosts").get(0)).remove("url");
        assertFalse(problems(missingField).isEmpty(), "a host without url");
        ObjectNode resolvedReminder = valid.deepCopy();
        resolvedReminder.put("state", "resolved").put("reminder", true);
        assertFalse(problems(resolvedReminder).isEmpty(), "a resolved reminder");
        ObjectNode badStatus = valid.deepCopy();
        ((ObjectNode) badStatus.get("hosts").get(0)).put("status", "drifted");
        assertFalse(problems(badStatus).isEmpty(), "an unknown status");
    }

    /** The distinct messages received, after checking that every request's body conforms and carries its id. */
    private List<JsonNode> conformingMessages() {
        assertFalse(hook.requests().isEmpty(), "nothing was sent");
        for (WebhookReceiver.Request request : hook.requests()) {
            assertEquals(List.of(), problems(request.json()), new String(request.body(), java.nio.charset.StandardCharsets.UTF_8));
            assertNotNull(request.id());
            assertEquals(request.id(), request.json().get("id").asText());
            assertTrue(request.signatureValid(), "signature");
        }
        return hook.messages();
    }

    private List<String> problems(JsonNode body) {
        List<String> problems = new ArrayList<>();
        for (Error error : schema.validate(body)) {
            problems.add(error.toString());
        }
        return problems;
    }
}
