package io.gitops.status.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the Alertmanager and Slack receivers are sent for a message: {@link AlertmanagerChannel#body}, {@link SlackChannel#text}. */
class ChannelBodiesTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    static final String SINCE = "2026-03-01T10:00:00Z";
    static final String CREATED = "2026-03-01T10:04:00Z";

    private static HostEntry host(String group, String name, String status) {
        return new HostEntry(group, name, status, "synced", SINCE, false, false, List.of("/etc/rsyslog.conf",
                "/etc/rsyslog.d/10-remote.conf"), 2, "abc123", "config valid", "prod",
                Map.of("team", "infra", "bad-name", "x", "status", "overridden?"),
                "https://status.example.com/ui/#host=" + group + "%2F" + name);
    }

    private static HostEntry bare(String group, String name, String status) {
        return new HostEntry(group, name, status, null, SINCE, false, false, List.of(), 0, null, null, null, null,
                null);
    }

    private static Message message(String state, boolean reminder, HostEntry... hosts) {
        return new Message("m-1", "prod-drift", state, reminder, CREATED, List.of(hosts));
    }

    private static JsonNode alerts(Message message) throws IOException {
        JsonNode alerts = JSON.readTree(AlertmanagerChannel.body(message));
        assertTrue(alerts.isArray(), alerts.toString());
        return alerts;
    }

    private static List<String> names(JsonNode object) {
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static Map<String, String> texts(JsonNode object) {
        Map<String, String> texts = new LinkedHashMap<>();
        object.fields().forEachRemaining(field -> texts.put(field.getKey(), field.getValue().textValue()));
        return texts;
    }

    // ---- Alertmanager ---------------------------------------------------------------------------

    @Test
    void aFiringHostIsOneAlertNamedByItsLabelsWithWhatChangedInAnnotationsAndNoEnd() throws IOException {
        JsonNode alerts = alerts(message("firing", false, host("rsyslog-prod", "web-1", "out_of_sync")));
        assertEquals(1, alerts.size());
        JsonNode alert = alerts.get(0);
        assertEquals(List.of("labels", "annotations", "startsAt", "generatorURL"), names(alert), "no endsAt: firing");
        assertEquals(Map.of("alertname", "prod-drift", "server_group", "rsyslog-prod", "host", "web-1",
                "environment", "prod"), texts(alert.get("labels")), "what changes (the status) is no label");
        assertEquals(SINCE, alert.get("startsAt").textValue());
        assertEquals("https://status.example.com/ui/#host=rsyslog-prod%2Fweb-1", alert.get("generatorURL").textValue());

        Map<String, String> annotations = texts(alert.get("annotations"));
        assertEquals("rsyslog-prod/web-1 is out_of_sync", annotations.get("summary"));
        assertEquals("out_of_sync", annotations.get("status"));
        assertEquals("synced", annotations.get("previous_status"));
        assertEquals(SINCE, annotations.get("since"));
        assertEquals("false", annotations.get("stale"));
        assertEquals("2", annotations.get("changed_files_count"));
        assertEquals("/etc/rsyslog.conf\n/etc/rsyslog.d/10-remote.conf", annotations.get("changed_files"));
        assertEquals("abc123", annotations.get("commit_sha"));
        assertEquals("config valid", annotations.get("validation_message"));
        assertEquals("https://status.example.com/ui/#host=rsyslog-prod%2Fweb-1", annotations.get("url"));
        assertEquals("infra", annotations.get("team"), "the host's labels, as annotations");
        assertFalse(annotations.containsKey("bad-name"), "not a Prometheus label name: left out");
        assertEquals("out_of_sync", annotations.get("status"), "a host label does not replace an annotation");
        annotations.values().forEach(value -> assertTrue(value != null, "every annotation is a string: " + annotations));
    }

    @Test
    void aResolvedMessageEndsEachAlertWhenItWasMade() throws IOException {
        JsonNode alerts = alerts(message("resolved", false, host("web", "w1", "synced"), host("web", "w2", "synced")));
        assertEquals(2, alerts.size(), "a digest: one alert per host");
        for (int i = 0; i < 2; i++) {
            JsonNode alert = alerts.get(i);
            assertEquals(CREATED, alert.get("endsAt").textValue());
            assertEquals(SINCE, alert.get("startsAt").textValue());
            assertEquals("w" + (i + 1), alert.get("labels").get("host").textValue());
        }
    }

    @Test
    void whatIsUnknownIsLeftOutAndADeletedOrStaleHostIsSaidSo() throws IOException {
        JsonNode alert = alerts(message("firing", false, bare("db", "d1", "failed"))).get(0);
        assertEquals(List.of("labels", "annotations", "startsAt"), names(alert), "no URL: no generatorURL");
        assertEquals(List.of("alertname", "server_group", "host"), names(alert.get("labels")), "no environment label");
        assertEquals(List.of("summary", "status", "since", "stale", "changed_files_count"),
                names(alert.get("annotations")), "no empty annotation");

        HostEntry deleted = new HostEntry("db", "d1", "failed", null, SINCE, false, true, List.of(), 0, null, null, "",
                Map.of(), null);
        JsonNode gone = alerts(message("resolved", false, deleted)).get(0);
        assertEquals("db/d1 is deleted", gone.get("annotations").get("summary").textValue());
        assertEquals("deleted", gone.get("annotations").get("status").textValue());
        assertFalse(gone.get("labels").has("environment"), "an empty environment is no label");

        HostEntry stale = new HostEntry("db", "d2", "synced", null, SINCE, true, false, List.of(), 0, null, null, null,
                Map.of(), null);
        JsonNode silent = alerts(message("firing", false, stale)).get(0);
        assertEquals("db/d2 is synced and stale", silent.get("annotations").get("summary").textValue());
        assertEquals("true", silent.get("annotations").get("stale").textValue());
    }

    @Test
    void aLongAnnotationIsCut() throws IOException {
        String message = "x".repeat(10_000);
        HostEntry wordy = new HostEntry("db", "d1", "failed", null, SINCE, false, false, List.of(), 0, null, message,
                null, Map.of(), null);
        String annotation = alerts(message("firing", false, wordy)).get(0).get("annotations").get("validation_message")
                .textValue();
        assertEquals("x".repeat(4096) + "…", annotation);
    }

    // ---- Slack ----------------------------------------------------------------------------------

    @Test
    void slackTextSaysTheStateTheRuleAndOneLinePerHost() {
        assertEquals(":red_circle: *Firing: prod-drift* (1 host)\n"
                + "• <https://status.example.com/ui/#host=rsyslog-prod%2Fweb-1|rsyslog-prod/web-1>: out_of_sync"
                + " (was synced) since " + SINCE + ", 2 changed files",
                SlackChannel.text(message("firing", false, host("rsyslog-prod", "web-1", "out_of_sync"))));
        assertEquals(":red_circle: *Still firing: prod-drift* (2 hosts)\n"
                + "• db/d1: failed since " + SINCE + "\n"
                + "• db/d2: failed since " + SINCE,
                SlackChannel.text(message("firing", true, bare("db", "d1", "failed"), bare("db", "d2", "failed"))));
        HostEntry deleted = new HostEntry("db", "d1", "failed", null, SINCE, false, true, List.of(), 1, null, null,
                null, Map.of(), null);
        HostEntry stale = new HostEntry("db", "d2", "synced", null, SINCE, true, false, List.of(), 0, null, null, null,
                Map.of(), null);
        assertEquals(":large_green_circle: *Resolved: prod-drift* (2 hosts)\n"
                + "• db/d1: deleted since " + SINCE + ", 1 changed file\n"
                + "• db/d2: synced, stale since " + SINCE,
                SlackChannel.text(message("resolved", false, deleted, stale)));
    }

    @Test
    void slackTextEscapesItsMarkupAndListsAtMostFiftyHosts() {
        String text = SlackChannel.text(new Message("m", "a<b>&c", "firing", false, CREATED,
                List.of(bare("g<1>", "h&1", "failed"))));
        assertTrue(text.startsWith(":red_circle: *Firing: a&lt;b&gt;&amp;c* (1 host)\n• g&lt;1&gt;/h&amp;1: failed"),
                text);

        List<HostEntry> many = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            many.add(bare("web", "w" + i, "failed"));
        }
        List<String> lines = SlackChannel.text(new Message("m", "r", "firing", false, CREATED, many)).lines().toList();
        assertEquals(1 + SlackChannel.MAX_LINES + 1, lines.size());
        assertEquals("• web/w49: failed since " + SINCE, lines.get(SlackChannel.MAX_LINES));
        assertEquals("… and 10 more", lines.get(lines.size() - 1));
        assertTrue(lines.get(0).endsWith("(60 hosts)"), lines.get(0));
    }

    @Test
    void slackBodyIsTheTextAsJson() throws IOException {
        Message message = message("firing", false, bare("db", "d1", "failed"));
        assertEquals(Map.of("text", SlackChannel.text(message)),
                JSON.readValue(SlackChannel.body(message), Map.class));
    }
}
