package io.gitops.status.resource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.gitops.status.api.StatusRecord;
import io.gitops.status.api.Transition;
import io.gitops.status.config.AppConfig;
import io.gitops.status.store.FileStatusStore;
import io.gitops.status.store.StatusStore;
import io.gitops.status.store.TestUpdates;
import io.gitops.status.update.AttributedUpdate;
import jakarta.ws.rs.client.WebTarget;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 5, item 7: each record's last status transitions, {@code GET /status/{g}/{h}/history}
 * (newest first) and {@code GET /events} (every host, oldest first). The service keeps 3
 * transitions per record here; the default of 20 is checked on the store directly.
 */
class HistoryTest extends ApiTestSupport {

    private static final int KEPT = 3;

    private static final List<String> TRANSITION_FIELDS = List.of("at", "from", "to", "source", "commit_sha",
            "changed_files_count");

    private static final List<String> EVENT_FIELDS = List.of("at", "server_group", "host", "from", "to", "source",
            "commit_sha", "changed_files_count", "text");

    @Override
    protected AppConfig config(AppConfig defaults) {
        return defaults.withHistorySize(KEPT);
    }

    // ---- helpers ----------------------------------------------------------------------------

    private JsonNode history(String group, String host) {
        Answer a = get("status/" + group + "/" + host + "/history");
        assertEquals(200, a.status(), a.body());
        assertEquals("no-cache", a.cacheControl());
        assertTrue(a.contentType().startsWith("application/json"), a.contentType());
        JsonNode transitions = a.json();
        assertTrue(transitions.isArray(), a.body());
        for (JsonNode t : transitions) {
            assertEquals(TRANSITION_FIELDS, names(t), "fields of " + t);
            assertTrue(t.get("changed_files_count").isInt(), t.toString());
        }
        return transitions;
    }

    /** A transition as {@code from>to/source/commit_sha/changed_files_count}. */
    private static String brief(JsonNode t) {
        return (t.get("from").isNull() ? "null" : t.get("from").textValue()) + ">" + t.get("to").textValue() + "/"
                + t.get("source").textValue() + "/" + (t.get("commit_sha").isNull() ? "null"
                        : t.get("commit_sha").textValue()) + "/" + t.get("changed_files_count").intValue();
    }

    private List<String> briefs(String group, String host) {
        List<String> briefs = new ArrayList<>();
        history(group, host).forEach(t -> briefs.add(brief(t)));
        return briefs;
    }

    private JsonNode events(WebTarget target) {
        Answer a = answer(target.request().get());
        assertEquals(200, a.status(), a.body());
        assertEquals("no-cache", a.cacheControl());
        JsonNode events = a.json();
        assertTrue(events.isArray(), a.body());
        for (JsonNode e : events) {
            assertEquals(EVENT_FIELDS, names(e), "fields of " + e);
        }
        return events;
    }

    /** Events as {@code at group/host from>to}. */
    private List<String> eventLines(WebTarget target) {
        List<String> lines = new ArrayList<>();
        events(target).forEach(e -> lines.add(e.get("at").textValue() + " " + e.get("server_group").textValue() + "/"
                + e.get("host").textValue() + " " + (e.get("from").isNull() ? "null" : e.get("from").textValue()) + ">"
                + e.get("to").textValue()));
        return lines;
    }

    private void pipeline(String group, String host, String status, String commit, String... files) {
        StringBuilder json = new StringBuilder("{\"server_group\":" + q(group) + ",\"host\":" + q(host)
                + ",\"status\":" + q(status) + ",\"commit_sha\":" + q(commit) + ",\"changed_files\":[");
        for (int i = 0; i < files.length; i++) {
            json.append(i == 0 ? "" : ",").append(q(files[i]));
        }
        pipelineOk(json.append("]}").toString());
    }

    private static StatusRecord withHistory(String group, String host, String status, List<Transition> history) {
        return new StatusRecord(group, host, null, null, null, null, status, List.of(), null, null, "sha-" + host,
                null, null, null, "2026-01-01T09:00:00Z", null, "2026-01-01T09:00:00Z", null, history);
    }

    /** The host's transitions as stored (all of them, oldest first), read by another store. */
    private List<Transition> storedHistory(String group, String host) {
        try (StatusStore reopened = reopenStore()) {
            return reopened.history(reopened.find(group, host).orElseThrow(), AppConfig.MAX_HISTORY_SIZE);
        }
    }

    // ---- GET /status/{g}/{h}/history --------------------------------------------------------

    @Test
    void creatingARecordAddsOneTransitionFromNull() {
        Instant before = Instant.now();
        pipeline("web", "w1", "synced", "abc123", "/etc/one");
        Instant after = Instant.now();
        JsonNode history = history("web", "w1");
        assertEquals(1, history.size(), history.toString());
        JsonNode created = history.get(0);
        assertTrue(created.get("from").isNull(), created.toString());
        assertEquals("null>synced/pipeline/abc123/1", brief(created));
        assertServerTime(created.get("at").textValue(), before, after);
    }

    @Test
    void onlyAChangeOfStatusIsRecordedWhicheverWriteMadeIt() {
        pipeline("rsyslog", "lab-01", "synced", "c1");
        // The same status again, in every way a client can send it: nothing added.
        pipeline("rsyslog", "lab-01", "SYNCED", "c2", "/etc/x");
        cronOk("{\"server_group\":\"rsyslog\",\"host\":\"lab-01\",\"status\":\"synced\",\"changed_files\":[]}");
        cronOk("{\"server_group\":\"rsyslog\",\"host\":\"lab-01\",\"changed_files\":[\"/etc/y\"]}");
        assertEquals(200, post("api/status", "{\"repo\":\"rsyslog\",\"server\":\"lab-01\",\"sync_status\":\"SYNCED\"}")
                .status());
        assertEquals(List.of("null>synced/pipeline/c1/0"), briefs("rsyslog", "lab-01"));

        // A drift check changes it: source cron, the record's commit and changed files after the write.
        cronOk("{\"server_group\":\"rsyslog\",\"host\":\"lab-01\",\"status\":\"out_of_sync\","
                + "\"changed_files\":[\"/etc/a\",\"/etc/b\"]}");
        // The legacy endpoint changes it: source legacy.
        assertEquals(200, post("api/status", "{\"repo\":\"rsyslog\",\"server\":\"lab-01\",\"sync_status\":\"FAILED\","
                + "\"files\":[{\"name\":\"f1\"}]}").status());
        // Newest first.
        assertEquals(List.of(
                "out_of_sync>failed/legacy/c2/1",
                "synced>out_of_sync/cron/c2/2",
                "null>synced/pipeline/c1/0"), briefs("rsyslog", "lab-01"));

        // A cron write that omits status keeps it: nothing added.
        cronOk("{\"server_group\":\"rsyslog\",\"host\":\"lab-01\",\"changed_files\":[]}");
        assertEquals(3, history("rsyslog", "lab-01").size());
    }

    @Test
    void aRecordCreatedByTheLegacyEndpointStartsWithALegacyTransition() {
        assertEquals(200, post("api/status", "{\"repo\":\"rsyslog\",\"server\":\"lab-02\",\"sync_status\":\"OUT_OF_SYNC\","
                + "\"files\":[\"a\",\"b\"]}").status());
        assertEquals(List.of("null>out_of_sync/legacy/null/2"), briefs("rsyslog", "lab-02"));
    }

    @Test
    void onlyTheLastNTransitionsAreKept() {
        pipeline("web", "w1", "synced", "c1");
        cronOk("{\"server_group\":\"web\",\"host\":\"w1\",\"status\":\"out_of_sync\",\"changed_files\":[\"f\"]}");
        pipeline("web", "w1", "failed", "c2");
        cronOk("{\"server_group\":\"web\",\"host\":\"w1\",\"status\":\"unknown\"}");
        pipeline("web", "w1", "synced", "c3");
        List<String> newest = List.of("unknown>synced/pipeline/c3/0", "failed>unknown/cron/c2/0",
                "out_of_sync>failed/pipeline/c2/0");
        assertEquals(newest, briefs("web", "w1"));
        // Kept so in the stored data too, oldest first.
        List<Transition> stored = storedHistory("web", "w1");
        assertEquals(KEPT, stored.size(), stored.toString());
        assertEquals(List.of("failed", "unknown", "synced"), stored.stream().map(Transition::to).toList());
    }

    @Test
    void anUnknownHostHasNoHistory() {
        pipeline("web", "w1", "synced", "c1");
        assertError(get("status/web/none/history"), 404, "not_found", null);
        assertError(get("status/none/w1/history"), 404, "not_found", null);
    }

    @Test
    void aDeletedHostThatReportsAgainStartsANewHistory() {
        pipeline("web", "w1", "synced", "c1");
        pipeline("web", "w1", "failed", "c2");
        assertEquals(204, answer(target("status/web/w1").request().delete()).status());
        assertError(get("status/web/w1/history"), 404, "not_found", null);
        pipeline("web", "w1", "failed", "c3");
        assertEquals(List.of("null>failed/pipeline/c3/0"), briefs("web", "w1"));
    }

    @Test
    void theDataFileCarriesHistoryButNoRowShowsIt() throws IOException {
        JsonNode created = pipelineOk("{\"server_group\":\"web\",\"host\":\"w1\",\"status\":\"synced\"}");
        JsonNode updated = cronOk("{\"server_group\":\"web\",\"host\":\"w1\",\"status\":\"failed\"}");
        for (JsonNode written : List.of(created, updated)) {
            assertRowShape(written.get("record"));
        }

        // In the files (status.json plus its journal), or the database: the record's transitions, oldest first.
        Path journal = statusFile.resolveSibling("status.json.journal");
        String files = onPostgres() ? storedText()
                : (Files.exists(journal) ? Files.readString(journal, StandardCharsets.UTF_8) : "")
                        + (Files.exists(statusFile) ? Files.readString(statusFile, StandardCharsets.UTF_8) : "");
        assertTrue(files.contains("\"history\""), files);
        List<Transition> stored = storedHistory("web", "w1");
        assertEquals(2, stored.size(), stored.toString());
        assertNull(stored.get(0).from());
        assertEquals("synced", stored.get(0).to());
        assertEquals("pipeline", stored.get(0).source());
        assertEquals("synced", stored.get(1).from());
        assertEquals("failed", stored.get(1).to());
        assertEquals("cron", stored.get(1).source());
        // The API shows the same, newest first.
        JsonNode api = history("web", "w1");
        assertEquals(stored.get(1).at(), api.get(0).get("at").textValue());
        assertEquals(stored.get(0).at(), api.get(1).get("at").textValue());

        // Once folded into status.json (on PostgreSQL: in the export), it is there too.
        String folded = new String(awaitStored(text -> text.contains("\"history\"")), StandardCharsets.UTF_8);
        JsonNode record = io.gitops.status.json.Json.mapper().readTree(folded).get("servers").get("web/w1");
        assertNotNull(record, folded);
        assertEquals(2, record.get("history").size(), folded);
        assertEquals(TRANSITION_FIELDS, names(record.get("history").get(0)));

        // No row of any read carries it.
        for (String path : List.of("status", "status/web", "status/web/w1", "status/files", "status.json",
                "api/status")) {
            Answer a = get(path);
            assertEquals(200, a.status(), path + ": " + a.body());
            assertFalse(a.body().contains("history"), path + " shows history: " + a.body());
        }
        get("status").json().forEach(ApiTestSupport::assertRowShape);
        assertRowShape(row("web", "w1"));
    }

    @Test
    void aSmallerSettingTrimsHistoryKeptBefore() {
        // Written under a larger setting: five transitions.
        List<Transition> five = new ArrayList<>();
        String[] statuses = {"synced", "out_of_sync", "failed", "unknown", "synced"};
        for (int i = 0; i < statuses.length; i++) {
            five.add(new Transition("2026-01-01T1" + i + ":00:00Z", i == 0 ? null : statuses[i - 1], statuses[i],
                    "pipeline", "sha", 0));
        }
        storeDirectly(withHistory("old", "h1", "synced", five));
        assertEquals(List.of("unknown>synced/pipeline/sha/0", "failed>unknown/pipeline/sha/0",
                "out_of_sync>failed/pipeline/sha/0"), briefs("old", "h1"));
        assertEquals(KEPT, events(target("events").queryParam("server_group", "old")).size(),
                "events show what the history shows");
        // The next write stores only the last 3, plus the new one within the 3.
        cronOk("{\"server_group\":\"old\",\"host\":\"h1\",\"status\":\"failed\"}");
        assertEquals(List.of("failed", "unknown", "synced"),
                storedHistory("old", "h1").stream().map(Transition::from).toList());
        assertEquals(KEPT, events(target("events").queryParam("server_group", "old")).size());
    }

    /**
     * The default (20) on the store directly: the update of every write endpoint. On PostgreSQL,
     * a replica with the default setting on the test's database, which keeps the transitions.
     */
    @Test
    void byDefaultTheLastTwentyTransitionsAreKept(@TempDir Path dir) {
        assertEquals(20, AppConfig.DEFAULT_HISTORY_SIZE);
        assertEquals(20, AppConfig.forStatusFile(dir.resolve("x.json")).historySize());
        try (StatusStore store = onPostgres() ? reopenStore(AppConfig.DEFAULT_HISTORY_SIZE)
                : new FileStatusStore(dir.resolve("status.json"))) {
            String[] statuses = {"synced", "out_of_sync"};
            for (int i = 0; i < 25; i++) {
                StatusRecord next = new StatusRecord("g", "h", null, null, null, null, statuses[i % 2], List.of(),
                        null, null, "c" + i, null, null, null, null, null, null);
                store.write(new AttributedUpdate(TestUpdates.storing(next), null, AppConfig.DEFAULT_HISTORY_SIZE));
            }
            // The same status once more: nothing added.
            StatusRecord same = new StatusRecord("g", "h", null, null, null, null, "synced", List.of(), null, null,
                    "c25", null, null, null, null, null, null);
            store.write(new AttributedUpdate(TestUpdates.storing(same), null, AppConfig.DEFAULT_HISTORY_SIZE));
            List<Transition> history = store.history(store.find("g", "h").orElseThrow(), AppConfig.MAX_HISTORY_SIZE);
            assertEquals(20, history.size());
            assertEquals("c5", history.get(0).commitSha(), "the oldest kept is the 6th of 25");
            assertEquals("c24", history.get(19).commitSha());
        }
    }

    // ---- GET /events ------------------------------------------------------------------------

    /**
     * lab/a: 10:00 new → synced, 12:00 synced → out_of_sync; lab/b: 11:00 new → failed; prod/a:
     * 11:00 new → synced (all on 2026-01-01).
     */
    private void seedEvents() {
        storeDirectly(
                withHistory("lab", "a", "out_of_sync", List.of(
                        new Transition("2026-01-01T10:00:00Z", null, "synced", "pipeline", "sha-1", 0),
                        new Transition("2026-01-01T12:00:00Z", "synced", "out_of_sync", "cron", "sha-1", 2))),
                withHistory("lab", "b", "failed", List.of(
                        new Transition("2026-01-01T11:00:00Z", null, "failed", "legacy", null, 0))),
                withHistory("prod", "a", "synced", List.of(
                        new Transition("2026-01-01T11:00:00Z", null, "synced", "pipeline", "sha-2", 0))));
    }

    private static final List<String> ALL_EVENTS = List.of(
            "2026-01-01T10:00:00Z lab/a null>synced",
            "2026-01-01T11:00:00Z lab/b null>failed",
            "2026-01-01T11:00:00Z prod/a null>synced",
            "2026-01-01T12:00:00Z lab/a synced>out_of_sync");

    @Test
    void eventsListEveryTransitionOfEveryHostOldestFirst() {
        assertEquals("[]", get("events").body().replaceAll("\\s", ""), "no hosts: no events");
        seedEvents();
        assertEquals(ALL_EVENTS, eventLines(target("events")));

        JsonNode events = events(target("events"));
        JsonNode first = events.get(0);
        assertEquals("lab", first.get("server_group").textValue());
        assertEquals("a", first.get("host").textValue());
        assertTrue(first.get("from").isNull());
        assertEquals("pipeline", first.get("source").textValue());
        assertEquals("sha-1", first.get("commit_sha").textValue());
        assertEquals(0, first.get("changed_files_count").intValue());
        assertEquals("lab/a: new → synced (pipeline)", first.get("text").textValue());
        JsonNode last = events.get(3);
        assertEquals("cron", last.get("source").textValue());
        assertEquals(2, last.get("changed_files_count").intValue());
        assertEquals("lab/a: synced → out_of_sync (cron)", last.get("text").textValue());
        assertTrue(events.get(1).get("commit_sha").isNull());
        assertEquals("legacy", events.get(1).get("source").textValue());
    }

    @Test
    void sinceAndUntilBoundTheEventsInclusively() {
        seedEvents();
        WebTarget events = target("events");
        assertEquals(ALL_EVENTS.subList(1, 4), eventLines(events.queryParam("since", "2026-01-01T11:00:00Z")));
        assertEquals(ALL_EVENTS.subList(3, 4), eventLines(events.queryParam("since", "2026-01-01T11:00:00.001Z")));
        assertEquals(ALL_EVENTS.subList(1, 3), eventLines(events.queryParam("since", "2026-01-01T11:00:00Z")
                .queryParam("until", "2026-01-01T11:00:00Z")));
        assertEquals(ALL_EVENTS.subList(0, 1), eventLines(events.queryParam("until", "2026-01-01T10:59:59Z")));
        assertEquals(ALL_EVENTS, eventLines(events.queryParam("since", "2025-12-31T00:00:00Z")));
        // An offset, and milliseconds since the epoch (Grafana's ${__from}).
        assertEquals(ALL_EVENTS.subList(1, 4), eventLines(events.queryParam("since", "2026-01-01T09:00:00-02:00")));
        long elevenMillis = Instant.parse("2026-01-01T11:00:00Z").toEpochMilli();
        assertEquals(ALL_EVENTS.subList(1, 4), eventLines(events.queryParam("since", String.valueOf(elevenMillis))));
        assertEquals(ALL_EVENTS.subList(1, 3), eventLines(events.queryParam("since", String.valueOf(elevenMillis))
                .queryParam("until", String.valueOf(elevenMillis + 1))));
        assertEquals(List.of(), eventLines(events.queryParam("since", String.valueOf(elevenMillis))
                .queryParam("until", String.valueOf(elevenMillis - 1))), "until before since: nothing");
        // Since in the future: nothing.
        assertEquals(List.of(), eventLines(events.queryParam("since", Instant.now().plusSeconds(3600).toString())));
        assertEquals(List.of(), eventLines(events.queryParam("since",
                String.valueOf(Instant.now().plusSeconds(3600).toEpochMilli()))));
    }

    @Test
    void theListsFiltersSelectTheHostsOfTheEvents() {
        seedEvents();
        WebTarget events = target("events");
        assertEquals(List.of(ALL_EVENTS.get(0), ALL_EVENTS.get(1), ALL_EVENTS.get(3)),
                eventLines(events.queryParam("server_group", "lab")));
        assertEquals(List.of(ALL_EVENTS.get(0), ALL_EVENTS.get(2), ALL_EVENTS.get(3)),
                eventLines(events.queryParam("host", "a")));
        // By the host's current status, not the transition's.
        assertEquals(List.of(ALL_EVENTS.get(0), ALL_EVENTS.get(3)),
                eventLines(events.queryParam("status", "OUT_OF_SYNC")));
        assertEquals(List.of(ALL_EVENTS.get(3)), eventLines(events.queryParam("server_group", "lab")
                .queryParam("since", "2026-01-01T11:30:00Z")));
        assertEquals(List.of(), eventLines(events.queryParam("server_group", "none")));
        assertEquals(List.of(), eventLines(events.queryParam("stale", "true")), "no host has drift checks");
        assertEquals(ALL_EVENTS, eventLines(events.queryParam("_", "42")));
    }

    @Test
    void badBoundsAndUnknownParametersAreRefused() {
        seedEvents();
        for (String bad : List.of("yesterday", "2026-01-01T11:00:00", "2026-13-01T11:00:00Z", "", "-5", "now")) {
            assertError(answer(target("events").queryParam("since", bad).request().get()), 400, "validation_failed",
                    "since");
        }
        assertError(answer(target("events").queryParam("until", "tomorrow").request().get()), 400,
                "validation_failed", "until");
        assertError(answer(target("events").queryParam("since", "2026-01-01T10:00:00Z", "2026-01-01T11:00:00Z")
                .request().get()), 400, "validation_failed", "since");
        assertError(answer(target("events").queryParam("colour", "red").request().get()), 400, "unknown_parameter",
                "colour");
        assertError(answer(target("events").queryParam("stale", "maybe").request().get()), 400, "validation_failed",
                "stale");
    }

    @Test
    void eventsOfLiveWrites() {
        String since = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        long sinceMillis = Instant.parse(since).toEpochMilli();
        pipeline("web", "w1", "synced", "c1");
        cronOk("{\"server_group\":\"web\",\"host\":\"w1\",\"status\":\"out_of_sync\",\"changed_files\":[\"f\"]}");
        cronOk("{\"server_group\":\"web\",\"host\":\"w1\",\"status\":\"out_of_sync\",\"changed_files\":[\"f\",\"g\"]}");
        pipeline("web", "w2", "failed", "c2");

        for (WebTarget target : List.of(target("events").queryParam("since", since),
                target("events").queryParam("since", String.valueOf(sinceMillis)), target("events"))) {
            JsonNode events = events(target);
            List<String> texts = new ArrayList<>();
            events.forEach(e -> texts.add(e.get("text").textValue()));
            // Same second: in the order they happened for one host, then by host.
            assertEquals(3, texts.size(), events.toString());
            assertTrue(texts.indexOf("web/w1: new → synced (pipeline)") >= 0, texts.toString());
            assertTrue(texts.indexOf("web/w1: new → synced (pipeline)")
                    < texts.indexOf("web/w1: synced → out_of_sync (cron)"), texts.toString());
            assertTrue(texts.contains("web/w2: new → failed (pipeline)"), texts.toString());
            for (JsonNode e : events) {
                assertTrue(e.get("at").textValue().matches(UTC_SECONDS), e.toString());
                assertFalse(Instant.parse(e.get("at").textValue()).isBefore(Instant.parse(since)), e.toString());
            }
        }
        assertEquals(List.of(), eventLines(target("events").queryParam("since",
                Instant.now().plusSeconds(60).toString())));
    }
}
