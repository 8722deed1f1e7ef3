package io.gitops.status.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rules file read again while the notifier runs: a change is used at the next look; a bad
 * edit is said once in the log and the rules read before go on sending; a fixed file is used
 * again; a changed secret file changes the signature.
 */
class RulesFileTest {

    @TempDir
    Path dir;
    NotifyFixture fixture;
    WebhookReceiver hook;
    Path secret;
    final Logger log = Logger.getLogger(RulesFile.class.getName());
    final List<LogRecord> logged = new ArrayList<>();
    final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            synchronized (logged) {
                logged.add(record);
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void setUp() throws Exception {
        fixture = new NotifyFixture(dir);
        hook = new WebhookReceiver(null);
        secret = Files.writeString(dir.resolve("ops.secret"), "s3cret\n");
        log.addHandler(capture);
    }

    @AfterEach
    void tearDown() {
        log.removeHandler(capture);
        hook.close();
        fixture.close();
    }

    /** One webhook receiver signing with ops.secret; one rule. */
    private String rules(String rule, String on) {
        return """
                receivers:
                  - name: ops
                    webhook: {url: "%s", secret_file: ops.secret}
                rules:
                  - name: %s
                    on: %s
                    receivers: [ops]
                """.formatted(hook.url(), rule, on);
    }

    private List<String> logged(Level level) {
        synchronized (logged) {
            return logged.stream().filter(r -> r.getLevel().equals(level)).map(LogRecord::getMessage).toList();
        }
    }

    private static String hmac(String key, byte[] body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
    }

    /** A host of group web, reported synced by its pipeline, then out_of_sync by its drift check. */
    private void drift(String host) {
        fixture.pipeline("web", host, "synced");
        fixture.cron("web", host, "out_of_sync");
        fixture.clock.catchUp(); // the store dates the records by the real clock
    }

    /** The rule and hosts of each message received so far. */
    private List<String> received() {
        List<String> messages = new ArrayList<>();
        for (JsonNode message : hook.messages()) {
            List<String> hosts = new ArrayList<>();
            message.get("hosts").forEach(h -> hosts.add(h.get("host").asText()));
            messages.add(message.get("rule").asText() + " " + message.get("state").asText() + " " + hosts);
        }
        return messages;
    }

    @Test
    void onlyAChangeOfContentIsReadAgain() throws Exception {
        fixture.rules(rules("drift", "[out_of_sync]"));
        RulesFile file = new RulesFile(fixture.rulesFile);
        assertTrue(file.reloaded().isEmpty(), "nothing changed");
        fixture.rules(rules("drift", "[out_of_sync]"));
        assertTrue(file.reloaded().isEmpty(), "written again with the same content");
        fixture.rules(rules("drift", "[failed]"));
        assertEquals(List.of("failed"), file.reloaded().orElseThrow().rules().get(0).on());
        assertEquals(List.of("failed"), file.rules().rules().get(0).on());
        assertTrue(file.reloaded().isEmpty(), "read once per change");
    }

    @Test
    void aChangedFileIsUsedAtTheNextLook() throws Exception {
        fixture.rules(rules("drift", "[failed]"));
        try (Notifier notifier = fixture.notifier()) {
            drift("h1");
            notifier.look();
            assertEquals(List.of(), received(), "out_of_sync is not in on");

            fixture.rules(rules("drift", "[failed, out_of_sync]"));
            notifier.look();
            assertEquals(List.of("drift firing [h1]"), received());
            assertEquals(List.of("failed", "out_of_sync"), notifier.view().rules().get(0).on());
            assertTrue(logged(Level.INFO).stream().anyMatch(m -> m.contains("rules read again")), logged(Level.INFO)
                    .toString());
        }
    }

    @Test
    void aBadEditIsLoggedOnceAndTheRulesReadBeforeGoOnSendingUntilItIsFixed() throws Exception {
        fixture.rules(rules("drift", "[out_of_sync]"));
        try (Notifier notifier = fixture.notifier()) {
            drift("h1");
            notifier.look();
            assertEquals(List.of("drift firing [h1]"), received());

            String bad = rules("drift", "[out_of_sync, broken]");
            fixture.rules(bad);
            notifier.look();
            notifier.look();
            notifier.look();
            List<String> warnings = logged(Level.WARNING);
            assertEquals(1, warnings.size(), "said once: " + warnings);
            assertTrue(warnings.get(0).contains("notifyFile " + fixture.rulesFile + ": line 6: rules[0].on[1]: broken"),
                    warnings.get(0));
            assertTrue(warnings.get(0).contains("the rules read before stay"), warnings.get(0));

            // the rules read before still watch and send
            drift("h2");
            notifier.look();
            assertEquals(List.of("drift firing [h1]", "drift firing [h2]"), received());
            assertEquals("drift", notifier.view().rules().get(0).name());

            // another bad edit is said too, once
            String otherBad = bad.replace("broken", "borken");
            fixture.rules(otherBad);
            notifier.look();
            notifier.look();
            assertEquals(2, logged(Level.WARNING).size(), logged(Level.WARNING).toString());

            // fixed: used at the next look
            fixture.rules(rules("drift-2", "[out_of_sync]"));
            notifier.look();
            assertEquals("drift-2", notifier.view().rules().get(0).name());
            assertEquals(List.of("drift firing [h1]", "drift firing [h2]", "drift-2 firing [h1]", "drift-2 firing [h2]"),
                    received().stream().sorted().toList());

            // broken again as just before: said again, since the file was fine in between
            fixture.rules(otherBad);
            notifier.look();
            assertEquals(3, logged(Level.WARNING).size(), logged(Level.WARNING).toString());
            assertEquals("drift-2", notifier.view().rules().get(0).name());
        }
    }

    @Test
    void aChangedSecretFileChangesTheSignature() throws Exception {
        fixture.rules(rules("drift", "[out_of_sync]"));
        try (Notifier notifier = fixture.notifier()) {
            drift("h1");
            notifier.look();
            WebhookReceiver.Request first = hook.requests().get(0);
            assertEquals(hmac("s3cret", first.body()), first.signature());

            Files.writeString(secret, "n3w-key\n"); // the rules file itself is unchanged
            drift("h2");
            notifier.look();
            assertEquals(2, hook.requests().size());
            WebhookReceiver.Request second = hook.requests().get(1);
            assertEquals(hmac("n3w-key", second.body()), second.signature());
            assertNotEquals(hmac("s3cret", second.body()), second.signature());

            // an emptied secret file cannot be used: said once, and the key read before stays
            Files.writeString(secret, "\n");
            drift("h3");
            notifier.look();
            notifier.look();
            List<String> warnings = logged(Level.WARNING);
            assertEquals(1, warnings.size(), warnings.toString());
            assertTrue(warnings.get(0).contains("secret_file") && warnings.get(0).contains("is empty"), warnings.get(0));
            WebhookReceiver.Request third = hook.requests().get(2);
            assertEquals(hmac("n3w-key", third.body()), third.signature());
        }
    }

    @Test
    void anEditNamingASecretFileNotThereYetIsUsedOnceTheFileAppears() throws Exception {
        fixture.rules(rules("drift", "[out_of_sync]"));
        try (Notifier notifier = fixture.notifier()) {
            Path later = dir.resolve("later.secret");
            fixture.rules(rules("drift", "[out_of_sync]").replace("ops.secret", "later.secret"));
            notifier.look();
            assertEquals(1, logged(Level.WARNING).size(), "the missing secret file, said once");
            Files.writeString(later, "l4ter\n"); // the rules file itself does not change again
            drift("h1");
            notifier.look();
            WebhookReceiver.Request request = hook.requests().get(0);
            assertEquals(hmac("l4ter", request.body()), request.signature());
            assertEquals(1, logged(Level.WARNING).size(), logged(Level.WARNING).toString());
        }
    }
}
