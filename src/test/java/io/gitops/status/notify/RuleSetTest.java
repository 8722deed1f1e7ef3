package io.gitops.status.notify;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gitops.status.api.StatusRecord;
import io.gitops.status.app.GitopsStatusApplication;
import io.gitops.status.config.AppConfig;
import io.gitops.status.config.AppConfig.ConfigurationException;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rules file as read: the issue's example with every key, and each mistake refused with a
 * message naming the file, the line the mistake is on, and what is wrong. The expected line is
 * found by its text in the edited file, independently of the code under test.
 */
class RuleSetTest {

    /** The issue's example, every key given, and a second rule counting reports ({@code after}). */
    static final String EXAMPLE = """
            public_url: https://status.example.com     # optional: links hosts to the status page
            delivery: {attempts: 12, backoff: PT1S, max_backoff: PT5M, timeout: PT10S}   # optional
            receivers:
              - name: ops
                webhook: {url: "http://hooks.example.com/gitops", secret_file: "SECRET"}
              - name: am
                alertmanager: {url: "http://alertmanager:9093", resend: PT2M}
              - name: chat
                slack: {url: "https://chat.example.com/hooks/T0/B0"}
            rules:
              - name: prod-drift
                match: {server_group: "rsyslog-*", environment: "prod"}
                on: [out_of_sync, failed, stale]
                for: PT4M
                resolved: true
                repeat: PT4H
                digest: PT1M
                receivers: [ops, am]
              - name: web-failures
                match:
                  server_group: [web-*, nginx-*]
                on:
                  - failed
                after: 3
                resolved: false
                receivers:
                  - chat
            """;

    @TempDir
    Path dir;
    Path file;
    Path secret;

    @BeforeEach
    void setUp() throws IOException {
        file = dir.resolve("rules.yaml");
        secret = Files.writeString(dir.resolve("ops.secret"), "s3cret\nignored second line\n");
    }

    private String example() {
        return EXAMPLE.replace("SECRET", secret.toString());
    }

    private RuleSet read(String yaml) throws IOException {
        Files.writeString(file, yaml);
        return RuleSet.read(file);
    }

    /** The example with {@code from} replaced by {@code to} (which must be there). */
    private String edited(String from, String to) {
        String yaml = example();
        assertTrue(yaml.contains(from), "the example has no " + from);
        return yaml.replace(from, to);
    }

    /**
     * Reads {@code yaml}, which must be refused at the line holding {@code lineText} (once in the
     * file), with a message containing each of {@code what}; returns the message.
     */
    private String refusedAt(String yaml, String lineText, String... what) throws IOException {
        return refusedAt(yaml, lineNumber(yaml, lineText), what);
    }

    private String refusedAt(String yaml, int line, String... what) throws IOException {
        Files.writeString(file, yaml);
        String message = assertThrows(ConfigurationException.class, () -> RuleSet.read(file)).getMessage();
        String prefix = "notifyFile " + file + ": line " + line + ": ";
        assertTrue(message.startsWith(prefix), "expected " + prefix + "..., got: " + message);
        for (String part : what) {
            assertTrue(message.contains(part), "no '" + part + "' in: " + message);
        }
        assertFalse(message.contains("\n"), "one line: " + message);
        assertFalse(message.contains("com.fasterxml") || message.contains("java.util"), "no Java types: " + message);
        return message;
    }

    private static int lineNumber(String yaml, String text) {
        List<String> lines = yaml.lines().toList();
        List<Integer> found = new java.util.ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(text)) {
                found.add(i + 1);
            }
        }
        assertEquals(1, found.size(), "the line '" + text + "' must be in the file once: " + found);
        return found.get(0);
    }

    private static StatusRecord record(String group, String environment) {
        return new StatusRecord(group, "h1", null, null, null, environment, "out_of_sync", List.of(), null, null,
                null, null, null, null, null, null, null);
    }

    // ---- what the example gives ---------------------------------------------------------------

    @Test
    void theIssuesExampleParsesWithEveryKey() throws IOException {
        RuleSet rules = read(example());
        assertEquals(URI.create("https://status.example.com"), rules.publicUrl());
        assertEquals(new DeliveryPolicy(12, Duration.ofSeconds(1), Duration.ofMinutes(5), Duration.ofSeconds(10)),
                rules.delivery());

        assertEquals(List.of("am", "chat", "ops"), rules.receivers().keySet().stream().sorted().toList());
        ReceiverSpec ops = rules.receivers().get("ops");
        assertEquals(URI.create("http://hooks.example.com/gitops"), ops.webhook().url());
        assertArrayEquals("s3cret".getBytes(StandardCharsets.UTF_8), rules.secrets().get("ops"),
                "the secret is the first line of secret_file, stripped");
        assertEquals(URI.create("http://alertmanager:9093"), rules.receivers().get("am").alertmanager().url());
        assertEquals(Duration.ofMinutes(2), rules.receivers().get("am").alertmanager().resend());
        assertEquals(URI.create("https://chat.example.com/hooks/T0/B0"), rules.receivers().get("chat").slack().url());
        assertEquals(Map.of("ops", rules.secrets().get("ops")), rules.secrets(), "only signed webhooks have a key");

        assertEquals(List.of("prod-drift", "web-failures"), rules.rules().stream().map(Rule::id).toList());
        Rule drift = rules.rules().get(0);
        assertEquals(Map.of("server_group", List.of("rsyslog-*"), "environment", List.of("prod")), drift.match());
        assertEquals(List.of("out_of_sync", "failed", "stale"), drift.on());
        assertEquals(Duration.ofMinutes(4), drift.holdFor());
        assertNull(drift.after());
        assertTrue(drift.sendsResolved());
        assertEquals(Duration.ofHours(4), drift.repeat());
        assertEquals(Duration.ofMinutes(1), drift.digest());
        assertEquals(List.of("ops", "am"), drift.receivers());

        Rule web = rules.rules().get(1);
        assertEquals(List.of("failed"), web.on());
        assertEquals(3, web.after());
        assertEquals(Duration.ZERO, web.holdForOrZero());
        assertFalse(web.sendsResolved());
        assertNull(web.repeat());
        assertNull(web.digest());
        assertEquals(List.of("chat"), web.receivers());
        assertEquals(List.of(drift), rules.rulesSendingTo("ops"));
        assertEquals(List.of(web), rules.rulesSendingTo("chat"));
    }

    @Test
    void theKeyOnIsReadAsTheStringOnNotAsAYaml11Boolean() throws IOException {
        // YAML 1.1 reads an unquoted on/off/yes/no *value* as a boolean; a key stays the string "on"
        assertEquals(List.of("out_of_sync", "failed", "stale"), read(example()).rules().get(0).on());
        assertEquals(List.of("failed"), read(edited("    on:\n      - failed", "    \"on\": [FAILED]")).rules().get(1)
                .on(), "quoted key, and the statuses are folded like the API's");
        // the value on: yes is a boolean, and not a list of statuses
        refusedAt(edited("on: [out_of_sync, failed, stale]", "on: yes"), "on: yes", "rules[0].on: expected a list");
        // an unquoted no as a glob would be the glob "false": refused, to be quoted
        refusedAt(edited("environment: \"prod\"", "environment: no"), "match: {", "rules[0].match.environment");
        assertTrue(read(edited("environment: \"prod\"", "environment: \"no\"")).rules().get(0)
                .matches(record("rsyslog-prod", "no")), "quoted, no is a glob like any other");
    }

    @Test
    void matchTakesASingleGlobOrAList() throws IOException {
        RuleSet rules = read(example());
        Rule drift = rules.rules().get(0);
        assertTrue(drift.matches(record("rsyslog-prod", "prod")));
        assertFalse(drift.matches(record("rsyslog-prod", "staging")), "every field must match");
        assertFalse(drift.matches(record("nginx-prod", "prod")));

        Rule web = rules.rules().get(1);
        assertEquals(Map.of("server_group", List.of("web-*", "nginx-*")), web.match());
        assertTrue(web.matches(record("web-1", null)), "any glob of the list");
        assertTrue(web.matches(record("nginx-eu", "prod")));
        assertFalse(web.matches(record("db-1", "prod")));

        Rule all = read(edited("    match:\n      server_group: [web-*, nginx-*]\n", "")).rules().get(1);
        assertEquals(Map.of(), all.match());
        assertTrue(all.matches(record("anything", null)), "no match: every host");
    }

    @Test
    void anEmptyRulesListIsAllowedAndSendsNothing() throws IOException {
        String yaml = example();
        RuleSet rules = read(yaml.substring(0, yaml.indexOf("rules:")) + "rules: []\n");
        assertEquals(List.of(), rules.rules());
        assertEquals(3, rules.receivers().size());
        RuleSet bare = read("receivers: []\nrules: []\n");
        assertEquals(DeliveryPolicy.DEFAULTS, bare.delivery(), "delivery is optional");
        assertNull(bare.publicUrl(), "public_url is optional");
    }

    @Test
    void aRelativeSecretFileIsBesideTheRulesFile() throws IOException {
        RuleSet rules = read(edited(secret.toString(), "ops.secret"));
        assertArrayEquals("s3cret".getBytes(StandardCharsets.UTF_8), rules.secrets().get("ops"));
    }

    // ---- each mistake: the file, the right line, what is wrong --------------------------------

    @Test
    void aYamlSyntaxError() throws IOException {
        refusedAt(edited("    for: PT4M", "    for: PT4M: x"), "for: PT4M: x", "not valid YAML",
                "mapping values are not allowed here");
        refusedAt(edited("    repeat: PT4H", "\trepeat: PT4H"), "\trepeat", "not valid YAML", "TAB");
        // a bracket left open is noticed on the next line; the message says where it began
        String open = edited("on: [out_of_sync, failed, stale]", "on: [out_of_sync, failed, stale");
        refusedAt(open, "for: PT4M", "not valid YAML", "flow sequence begun on line " + lineNumber(open, "on: [out"));
        refusedAt(edited("    for: PT4M", "    for: PT4M\n    for: PT5M"), "for: PT5M", "Duplicate field 'for'");
    }

    @Test
    void anUnknownKeyIsNamedWithTheKeysThatAreKnown() throws IOException {
        refusedAt(edited("    receivers: [ops, am]", "    recievers: [ops, am]"), "recievers:",
                "rules[0]: unknown key recievers; known keys are after, digest, for, match, name, on, receivers,"
                        + " repeat, resolved");
        refusedAt(edited("    for: PT4M", "    fro: PT4M"), "fro:", "rules[0]: unknown key fro");
        refusedAt(edited("secret_file:", "secret_flie:"), "secret_flie", "receivers[0].webhook: unknown key secret_flie",
                "secret_file");
        refusedAt(edited("public_url:", "publik_url:"), "publik_url", "unknown key publik_url", "public_url");
        refusedAt(edited("    webhook:", "    webhok:"), "webhok", "receivers[0]: unknown key webhok");
    }

    @Test
    void anUnknownOnValue() throws IOException {
        refusedAt(edited("on: [out_of_sync, failed, stale]", "on: [out_of_sync, broken, stale]"), "on: [",
                "rules[0].on[1]: broken is not one of [failed, out_of_sync, stale, unknown]");
        refusedAt(edited("      - failed\n", "      - failed\n      - synced\n"), "- synced",
                "rules[1].on[1]: synced is not one of");
    }

    @Test
    void onMissingOrEmpty() throws IOException {
        refusedAt(edited("    on: [out_of_sync, failed, stale]\n", ""), "name: prod-drift",
                "rules[0].on: missing: name at least one of [failed, out_of_sync, stale, unknown]");
        refusedAt(edited("    on:\n      - failed\n", ""), "name: web-failures", "rules[1].on: missing");
        refusedAt(edited("on: [out_of_sync, failed, stale]", "on: []"), "on: []", "rules[0].on: missing");
    }

    @Test
    void aBadDuration() throws IOException {
        refusedAt(edited("for: PT4M", "for: 4 minutes"), "for: 4 minutes",
                "rules[0].for: not an ISO 8601 duration: 4 minutes (write e.g. PT30S, PT4M, PT4H, P1D)");
        refusedAt(edited("for: PT4M", "for: 4"), "for: 4", "rules[0].for: not an ISO 8601 duration: 4");
        refusedAt(edited("backoff: PT1S,", "backoff: 1s,"), "backoff: 1s", "delivery.backoff: not an ISO 8601");
        refusedAt(edited("resend: PT2M", "resend: 2m"), "resend: 2m", "receivers[1].alertmanager.resend");
    }

    @Test
    void aNegativeOrZeroDuration() throws IOException {
        refusedAt(edited("for: PT4M", "for: -PT4M"), "for: -PT4M", "rules[0].for: a duration must be at least 1 ms",
                "-PT4M");
        refusedAt(edited("repeat: PT4H", "repeat: PT0S"), "repeat: PT0S", "rules[0].repeat: a duration must be at least 1 ms");
        refusedAt(edited("digest: PT1M", "digest: P0D"), "digest: P0D", "rules[0].digest: a duration must be at least 1 ms");
        refusedAt(edited("timeout: PT10S", "timeout: -PT1S"), "delivery:", "delivery.timeout: a duration must be at least 1 ms");
    }

    @Test
    void afterCountsAtLeastOneReport() throws IOException {
        refusedAt(edited("after: 3", "after: 0"), "after: 0", "rules[1].after: must be at least 1 report, was 0");
        refusedAt(edited("after: 3", "after: -2"), "after: -2", "rules[1].after: must be at least 1 report");
        refusedAt(edited("after: 3", "after: three"), "after: three", "rules[1].after: expected a whole number, was three");
    }

    @Test
    void aReceiverOfTwoKindsOrNone() throws IOException {
        refusedAt(edited("    slack: {url: \"https://chat.example.com/hooks/T0/B0\"}",
                "    slack: {url: \"https://chat.example.com/hooks/T0/B0\"}\n    webhook: {url: \"http://x.example.com\"}"),
                "name: chat", "receivers[2]: receiver chat: give exactly one of webhook, alertmanager, slack, not 2");
        refusedAt(edited("    slack: {url: \"https://chat.example.com/hooks/T0/B0\"}\n", ""), "name: chat",
                "receivers[2]: receiver chat: give exactly one of webhook, alertmanager, slack");
    }

    @Test
    void aUrlThatIsNotHttp() throws IOException {
        refusedAt(edited("http://hooks.example.com/gitops", "ftp://hooks.example.com/gitops"), "ftp://",
                "receivers[0].webhook.url: expected an http:// or https:// URL with a host, was ftp://hooks.example.com");
        refusedAt(edited("alertmanager: {url: \"http://alertmanager:9093\", resend: PT2M}",
                "alertmanager:\n      resend: PT2M\n      url: alertmanager:9093"), "url: alertmanager:9093",
                "receivers[1].alertmanager.url: expected an http:// or https:// URL");
        refusedAt(edited("https://chat.example.com/hooks/T0/B0", "/hooks/T0/B0"), "/hooks/T0/B0",
                "receivers[2].slack.url");
        refusedAt(edited("{url: \"https://chat.example.com/hooks/T0/B0\"}", "{}"), "slack: {}",
                "receivers[2].slack.url: missing");
        refusedAt(edited("https://status.example.com", "status.example.com"), "public_url",
                "public_url: expected an http:// or https:// URL");
        refusedAt(edited("http://hooks.example.com/gitops", "http://"), "http://\"", "receivers[0].webhook.url",
                "expected a URL, was http://");
    }

    @Test
    void aRuleNamingAnUndefinedReceiverIsRefusedAtThatName() throws IOException {
        refusedAt(edited("      - chat\n", "      - chat\n      - pager\n"), "- pager",
                "rules[1].receivers[1]: receiver pager is not defined (receivers: ops, am, chat)");
        refusedAt(edited("receivers: [ops, am]", "receivers: [ops, amm]"), "receivers: [ops, amm]",
                "receiver amm is not defined");
        refusedAt(edited("receivers: [ops, am]", "receivers: []"), "receivers: []", "rules[0].receivers: missing");
    }

    @Test
    void aNameGivenTwiceIsRefusedAtTheSecond() throws IOException {
        refusedAt(edited("  - name: web-failures", "  - name: prod-drift   # again"), "# again",
                "rules[1].name: rule prod-drift is defined twice");
        refusedAt(edited("  - name: chat", "  - name: ops   # again"), "# again",
                "receivers[2].name: receiver ops is defined twice");
    }

    @Test
    void anUnknownMatchField() throws IOException {
        refusedAt(edited("environment: \"prod\"", "env: \"prod\""), "match: {",
                "rules[0].match.env: unknown field env; fields are server_group, host, status, environment");
        refusedAt(edited("      server_group: [web-*, nginx-*]", "      group: [web-*, nginx-*]"), "group: [web",
                "rules[1].match.group: unknown field group");
        refusedAt(edited("environment: \"prod\"", "environment: []"), "match: {",
                "rules[0].match.environment: give a glob or a list of globs");
    }

    @Test
    void aMissingOrEmptySecretFile() throws IOException {
        Path missing = dir.resolve("nope.secret");
        refusedAt(edited(secret.toString(), missing.toString()), "secret_file",
                "receivers[0].webhook.secret_file: cannot read " + missing, "NoSuchFileException");
        Files.writeString(secret, "\n\n");
        refusedAt(example(), "secret_file", "receivers[0].webhook.secret_file: " + secret + " is empty");
        Files.writeString(secret, "   \n");
        refusedAt(example(), "secret_file", "is empty");
    }

    @Test
    void otherMistakes() throws IOException {
        refusedAt(edited("attempts: 12", "attempts: 0"), "delivery:", "delivery.attempts: must be between 1 and 1000, was 0");
        refusedAt(edited("  - name: chat", "  - name: \"\""), "name: \"\"", "receivers[2].name: a name must be a non-empty string");
        refusedAt(edited("    on:\n      - failed\n", "    on: failed\n"), "on: failed", "rules[1].on: expected a list");
        refusedAt(edited("resolved: true", "resolved: sometimes"), "resolved: sometimes", "rules[0].resolved: expected true or false");
        String yaml = example();
        refusedAt(yaml.substring(0, yaml.indexOf("rules:")), "public_url", "rules: give a list of rules");
        refusedAt("", 1, "the file is empty");
        refusedAt("# nothing yet\n", "# nothing", "the file is empty");
        refusedAt(edited("on: [out_of_sync, failed, stale]", "on: [out_of_sync, ~]"), "on: [out_of_sync, ~]",
                "rules[0].on[1]: null is not one of");
        refusedAt(edited("on: [out_of_sync, failed, stale]", "on: [failed, FAILED]"), "on: [failed, FAILED]",
                "rules[0].on[1]: failed is named twice");
        refusedAt(edited("receivers: [ops, am]", "receivers: [ops, am, ops]"), "receivers: [ops, am, ops]",
                "rules[0].receivers[2]: ops is named twice");
        refusedAt(edited("timeout: PT10S", "timeout: PT0.0001S"), "delivery:", "delivery.timeout: a duration must be at least 1 ms");
    }

    @Test
    void nothingOfARefusedFileIsUsedAndTheMessageHasNoSecret() throws IOException {
        // the mistake is after the secret was read: the message names the receiver, never the key
        String message = refusedAt(edited("      - chat\n", "      - chat\n      - pager\n"), "- pager", "pager");
        assertFalse(message.contains("s3cret"), message);
        assertNotEquals(-1, message.indexOf(file.toString()));
    }
    // ---- the application --------------------------------------------------------------------

    @Test
    void theApplicationDoesNotStartOnABadRulesFileAndLeavesTheStoreAlone() throws IOException {
        Path data = Files.createDirectory(dir.resolve("data"));
        String bad = edited("for: PT4M", "for: 4 minutes");
        Files.writeString(file, bad);
        AppConfig config = AppConfig.forStatusFile(data.resolve("status.json")).withNotifyFile(file);
        ConfigurationException e = assertThrows(ConfigurationException.class, () -> new GitopsStatusApplication(config));
        assertEquals("notifyFile " + file + ": line " + lineNumber(bad, "for: 4 minutes") + ": rules[0].for: not an"
                + " ISO 8601 duration: 4 minutes (write e.g. PT30S, PT4M, PT4H, P1D)", e.getMessage());
        try (Stream<Path> files = Files.list(data)) {
            assertEquals(List.of(), files.toList(), "the store was opened although start-up failed");
        }
    }

    @Test
    void theApplicationDoesNotStartWithoutItsRulesFile() throws IOException {
        Path data = Files.createDirectory(dir.resolve("data"));
        AppConfig config = AppConfig.forStatusFile(data.resolve("status.json")).withNotifyFile(dir.resolve("nope.yaml"));
        ConfigurationException e = assertThrows(ConfigurationException.class, () -> new GitopsStatusApplication(config));
        assertTrue(e.getMessage().startsWith("notifyFile " + dir.resolve("nope.yaml") + ": cannot read it"),
                e.getMessage());
        try (Stream<Path> files = Files.list(data)) {
            assertEquals(List.of(), files.toList());
        }
    }

    @Test
    void theApplicationHasANotifierOnlyWithARulesFile() throws IOException {
        Files.writeString(file, example());
        GitopsStatusApplication with = new GitopsStatusApplication(
                AppConfig.forStatusFile(dir.resolve("a.json")).withNotifyFile(file));
        try {
            assertTrue(with.notifier().isPresent());
        } finally {
            with.store().close();
        }
        GitopsStatusApplication without = new GitopsStatusApplication(AppConfig.forStatusFile(dir.resolve("b.json")));
        try {
            assertTrue(without.notifier().isEmpty());
        } finally {
            without.store().close();
        }
    }
}
