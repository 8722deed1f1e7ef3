package io.gitops.status.resource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.gitops.status.api.Condition;
import jakarta.ws.rs.client.WebTarget;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 11, item 2: the fleet, group and host badges as SVG and as the shields.io endpoint
 * schema, their colours and counts, unknown and invalid names, labels, and caching. Tokens off.
 */
class BadgeTest extends ApiTestSupport {

    static final String GREEN = Badge.color(Condition.SYNCED);
    static final String ORANGE = Badge.color(Condition.OUT_OF_SYNC);
    static final String RED = Badge.color(Condition.FAILED);
    static final String AMBER = Badge.color(Condition.STALE);
    static final String GREY = Badge.GREY;

    private void put(String group, String host, String status) {
        pipelineOk("{\"server_group\":" + q(group) + ",\"host\":" + q(host) + ",\"status\":" + q(status) + "}");
    }

    /** A host whose last drift check was long ago. */
    private void stale(String group, String host, String status) {
        put(group, host, status);
        cronOk("{\"server_group\":" + q(group) + ",\"host\":" + q(host)
                + ",\"last_cron_check\":\"2020-01-01T00:00:00Z\"}");
    }

    static WebTarget withQuery(WebTarget target, String... nameValues) {
        for (int i = 0; i < nameValues.length; i += 2) {
            target = target.queryParam(nameValues[i], nameValues[i + 1]);
        }
        return target;
    }

    /** An SVG badge answered with {@code status}, parsed, with the headers every badge carries. */
    private BadgeSvg svg(int status, String path, String... query) {
        Answer a = answer(withQuery(target(path), query).request().get());
        assertEquals(status, a.status(), path + ": " + a.body());
        assertEquals("image/svg+xml;charset=utf-8", a.contentType().replace(" ", "").toLowerCase(), path);
        assertEquals("max-age=60", a.cacheControl(), path);
        assertNoInternals(a.body());
        return BadgeSvg.parse(a.body());
    }

    /** A badge in the shields.io endpoint schema: exactly its fields, in order. */
    private JsonNode json(int status, String path, String... query) {
        Answer a = answer(withQuery(target(path), query).request().get());
        assertEquals(status, a.status(), path + ": " + a.body());
        assertTrue(a.contentType().startsWith("application/json"), a.contentType());
        assertEquals("max-age=60", a.cacheControl(), path);
        JsonNode body = a.json();
        List<String> fields = status == 200 ? List.of("schemaVersion", "label", "message", "color")
                : List.of("schemaVersion", "label", "message", "color", "isError");
        assertEquals(fields, names(body), a.body());
        assertEquals(1, body.get("schemaVersion").intValue());
        return body;
    }

    private static void assertShields(JsonNode badge, String label, String message, String color) {
        assertEquals(label, badge.get("label").textValue());
        assertEquals(message, badge.get("message").textValue());
        assertEquals(color.substring(1), badge.get("color").textValue(), "shields takes hex without '#'");
    }

    @Test
    void everyHostStatusHasItsWordAndColour() {
        put("web", "ok", "synced");
        put("web", "drift", "out_of_sync");
        put("web", "broken", "FAILED");
        put("web", "new", "unknown");
        stale("web", "quiet", "synced");
        stale("web", "quiet-drift", "out_of_sync");
        stale("web", "quiet-broken", "failed");
        svg(200, "badge/web/ok.svg").assertShows("web/ok", "synced", GREEN);
        svg(200, "badge/web/drift.svg").assertShows("web/drift", "out of sync", ORANGE);
        svg(200, "badge/web/broken.svg").assertShows("web/broken", "failed", RED);
        svg(200, "badge/web/new.svg").assertShows("web/new", "unknown", GREY);
        svg(200, "badge/web/quiet.svg").assertShows("web/quiet", "stale", AMBER);
        // A drift or a failure never seen fixed stays the message when the checks stop.
        svg(200, "badge/web/quiet-drift.svg").assertShows("web/quiet-drift", "out of sync", ORANGE);
        svg(200, "badge/web/quiet-broken.svg").assertShows("web/quiet-broken", "failed", RED);
        assertShields(json(200, "badge/web/drift.json"), "web/drift", "out of sync", ORANGE);
        assertShields(json(200, "badge/web/quiet.json"), "web/quiet", "stale", AMBER);
    }

    @Test
    void groupsAndTheFleetCountTheHostsInTheWorstCondition() {
        svg(200, "badge.svg").assertShows("gitops", "no servers", GREY);
        put("web", "w1", "synced");
        put("web", "w2", "synced");
        put("db.prod", "d1", "synced");
        svg(200, "badge/web.svg").assertShows("web", "2 synced", GREEN);
        svg(200, "badge/db.prod.svg").assertShows("db.prod", "1 synced", GREEN);
        svg(200, "badge.svg").assertShows("gitops", "3 synced", GREEN);

        put("web", "w3", "unknown");
        svg(200, "badge/web.svg").assertShows("web", "1 unknown", GREY);
        stale("web", "w4", "synced");
        stale("web", "w5", "unknown");
        svg(200, "badge/web.svg").assertShows("web", "2 stale", AMBER);
        put("web", "w1", "out_of_sync");
        put("db.prod", "d1", "out_of_sync");
        svg(200, "badge/web.svg").assertShows("web", "1 out of sync", ORANGE);
        svg(200, "badge.svg").assertShows("gitops", "2 out of sync", ORANGE);
        put("db.prod", "d2", "failed");
        svg(200, "badge/web.svg").assertShows("web", "1 out of sync", ORANGE);
        svg(200, "badge/db.prod.svg").assertShows("db.prod", "1 failed", RED);
        svg(200, "badge.svg").assertShows("gitops", "1 failed", RED);
        assertShields(json(200, "badge.json"), "gitops", "1 failed", RED);
        assertShields(json(200, "badge/web.json"), "web", "1 out of sync", ORANGE);
    }

    @Test
    void unknownGroupsAndHostsAreGreyUnknownBadgesWith404() {
        put("web", "w1", "synced");
        svg(404, "badge/nope.svg").assertShows("nope", "unknown", GREY);
        svg(404, "badge/web/nope.svg").assertShows("web/nope", "unknown", GREY);
        svg(404, "badge/nope/w1.svg").assertShows("nope/w1", "unknown", GREY);
        JsonNode json = json(404, "badge/web/nope.json");
        assertShields(json, "web/nope", "unknown", GREY);
        assertTrue(json.get("isError").booleanValue());
        // A path that is no badge at all stays the API's JSON 404.
        assertError(get("badge/web"), 404, "not_found", null);
    }

    @Test
    void namesBreakingTheInputRulesAreGreyBadgesWith400() {
        for (String path : List.of("badge/-web.svg", "badge/web/h%20x.svg", "badge/" + "g".repeat(254) + ".svg",
                "badge/web/_h.svg")) {
            svg(400, path).assertShows("gitops", "invalid name", GREY);
        }
        assertShields(json(400, "badge/-web.json"), "gitops", "invalid name", GREY);
    }

    @Test
    void aLabelReplacesTheNameWithinItsLimits() {
        put("web", "w1", "failed");
        svg(200, "badge/web/w1.svg", "label", "prod web").assertShows("prod web", "failed", RED);
        svg(200, "badge.svg", "label", "fleet").assertShows("fleet", "1 failed", RED);
        // XML's special characters are drawn as themselves, and the SVG stays well-formed.
        String odd = "<a href=\"x\">&'é服";
        svg(200, "badge/web.svg", "label", odd).assertShows(odd, "1 failed", RED);
        svg(404, "badge/web/nope.svg", "label", "mine").assertShows("mine", "unknown", GREY);
        svg(200, "badge.svg", "label", "x".repeat(BadgeResource.MAX_LABEL_LENGTH));
        for (String bad : List.of("", "x".repeat(BadgeResource.MAX_LABEL_LENGTH + 1), "a\u0001b", "evil\u202eliam",
                "two\nlines")) {
            svg(400, "badge/web.svg", "label", bad).assertShows("gitops", "invalid label", GREY);
        }
        // Other parameters are ignored: READMEs cache-bust badge URLs.
        svg(200, "badge/web.svg", "v", "2", "cacheSeconds", "300").assertShows("web", "1 failed", RED);
    }

    @Test
    void theBadgeGrowsWithItsText() {
        put("web", "w1", "synced");
        int narrow = svg(200, "badge/web/w1.svg", "label", "a").width();
        int wide = svg(200, "badge/web/w1.svg", "label", "a much longer label").width();
        assertTrue(wide > narrow + 80, narrow + " then " + wide);
    }

    @Test
    void badgesHaveAStrongTagAndRevalidateWith304() {
        put("web", "w1", "synced");
        for (String path : List.of("badge.svg", "badge/web.svg", "badge/web/w1.svg", "badge.json", "badge/web.json",
                "badge/web/w1.json")) {
            String tag;
            try (Response first = target(path).request().get()) {
                assertEquals(200, first.getStatus());
                tag = first.getHeaderString(HttpHeaders.ETAG);
                assertNotNull(tag, path);
                assertFalse(tag.startsWith("W/"), "strong tag: " + tag);
            }
            try (Response again = target(path).request().header(HttpHeaders.IF_NONE_MATCH, tag).get()) {
                assertEquals(304, again.getStatus(), path);
                assertEquals("max-age=60", again.getHeaderString(HttpHeaders.CACHE_CONTROL), path);
                assertEquals(tag, again.getHeaderString(HttpHeaders.ETAG), path);
            }
        }
        put("web", "w1", "failed");
        try (Response changed = target("badge/web/w1.svg").request().header(HttpHeaders.IF_NONE_MATCH, "\"x\"").get()) {
            assertEquals(200, changed.getStatus());
        }
    }

    @Test
    void otherAnswersStillMayNotBeCached() {
        assertEquals("no-cache", get("status").cacheControl());
        assertEquals("no-cache", get("status/web/nope").cacheControl());
    }
}
