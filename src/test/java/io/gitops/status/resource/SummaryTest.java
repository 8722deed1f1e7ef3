package io.gitops.status.resource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.gitops.status.api.StatusRecord;
import jakarta.ws.rs.client.WebTarget;
import jakarta.ws.rs.core.Response;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 5, item 3: {@code GET /status/summary}, one row per server group and one for all, with
 * the list's filters; and the literal path winning over a group named {@code summary}. Default
 * settings (stale after 30 minutes).
 */
class SummaryTest extends ApiTestSupport {

    private static final List<String> SUMMARY_FIELDS = List.of("server_group", "total", "synced", "out_of_sync",
            "failed", "unknown", "stale", "changed_files");

    private static String ago(Duration duration) {
        return Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(duration).toString();
    }

    private void put(String group, String host, String status, String environment, String... files) {
        StringBuilder json = new StringBuilder("{\"server_group\":" + q(group) + ",\"host\":" + q(host)
                + ",\"status\":" + q(status) + ",\"environment\":" + q(environment) + ",\"changed_files\":[");
        for (int i = 0; i < files.length; i++) {
            json.append(i == 0 ? "" : ",").append(q(files[i]));
        }
        pipelineOk(json.append("]}").toString());
    }

    private void check(String group, String host, String lastCronCheck) {
        cronOk("{\"server_group\":" + q(group) + ",\"host\":" + q(host) + ",\"last_cron_check\":" + q(lastCronCheck)
                + "}");
    }

    /**
     * Zeta (upper case: sorts before lower case), cache, db, web; web/w2 stale (checked an hour
     * ago), db/d2 checked now.
     */
    private void fleet() {
        put("web", "w1", "synced", "prod");
        put("web", "w2", "out_of_sync", "prod", "/etc/a", "/etc/b");
        check("web", "w2", ago(Duration.ofHours(1)));
        put("web", "w3", "out_of_sync", "dev", "/etc/c");
        put("db", "d1", "FAILED", "prod", "/etc/x");
        put("db", "d2", "unknown", "dev");
        check("db", "d2", ago(Duration.ZERO));
        put("cache", "c1", "synced", "dev");
        put("Zeta", "z1", "synced", "lab");
    }

    /** A summary row as {@code group:total,synced,out_of_sync,failed,unknown,stale,changed_files}. */
    private static String line(JsonNode row) {
        assertEquals(SUMMARY_FIELDS, names(row), "fields of " + row);
        StringBuilder line = new StringBuilder(row.get("server_group").textValue()).append(':');
        for (String field : SUMMARY_FIELDS.subList(1, SUMMARY_FIELDS.size())) {
            JsonNode count = row.get(field);
            assertTrue(count.isIntegralNumber(), field + " is not a whole number: " + row);
            line.append(field.equals("total") ? "" : ",").append(count.longValue());
        }
        return line.toString();
    }

    private List<String> summary(WebTarget target) {
        Answer a = answer(target.request().get());
        assertEquals(200, a.status(), a.body());
        assertEquals("no-cache", a.cacheControl());
        assertTrue(a.contentType().startsWith("application/json"), a.contentType());
        JsonNode rows = a.json();
        assertTrue(rows.isArray(), a.body());
        List<String> lines = new ArrayList<>();
        rows.forEach(row -> lines.add(line(row)));
        return lines;
    }

    private WebTarget summaryTarget() {
        return target("status/summary");
    }

    @Test
    void anEmptyStoreSummarisesToAnEmptyArray() {
        Answer a = get("status/summary");
        assertEquals(200, a.status(), a.body());
        assertEquals("[]", a.body().replaceAll("\\s", ""));
        assertTrue(a.contentType().startsWith("application/json"), a.contentType());
    }

    /** An old data file may hold a status outside the contract's: it counts as unknown, no new column. */
    @Test
    void aStatusOutsideTheContractsCountsAsUnknown() {
        put("old", "o1", "synced", "prod");
        storeDirectly(new StatusRecord("old", "o2", null, null, null, null, "pending",
                List.of(), null, null, null, null, null, null, Instant.now().toString(), null, Instant.now().toString()));
        assertEquals(List.of("old:2,1,0,0,1,0,0", "*:2,1,0,0,1,0,0"), summary(summaryTarget()));
    }

    @Test
    void oneRowPerGroupSortedByNameWithZeroCountsThenOneForAllGroups() {
        fleet();
        assertEquals(List.of(
                "Zeta:1,1,0,0,0,0,0",
                "cache:1,1,0,0,0,0,0",
                "db:2,0,0,1,1,0,1",
                "web:3,1,2,0,0,1,3",
                "*:7,3,2,1,1,1,4"), summary(summaryTarget()));
        // The groups come in the order of GET /status.
        List<String> listed = new ArrayList<>();
        get("status").json().forEach(row -> {
            String group = row.get("server_group").textValue();
            if (!listed.contains(group)) {
                listed.add(group);
            }
        });
        assertEquals(List.of("Zeta", "cache", "db", "web"), listed);
    }

    @Test
    void theSummaryFollowsWrites() {
        fleet();
        cronOk("{\"server_group\":\"web\",\"host\":\"w2\",\"status\":\"synced\",\"changed_files\":[],"
                + "\"last_cron_check\":" + q(ago(Duration.ZERO)) + "}");
        assertEquals(204, answer(target("status/Zeta/z1").request().delete()).status());
        assertEquals(List.of(
                "cache:1,1,0,0,0,0,0",
                "db:2,0,0,1,1,0,1",
                "web:3,2,1,0,0,0,1",
                "*:6,3,1,1,1,0,2"), summary(summaryTarget()));
    }

    @Test
    void theListsFiltersApply() {
        fleet();
        assertEquals(List.of(
                "db:1,0,0,1,0,0,1",
                "web:2,1,1,0,0,1,2",
                "*:3,1,1,1,0,1,3"), summary(summaryTarget().queryParam("environment", "prod")));
        assertEquals(List.of(
                "web:1,0,1,0,0,1,2",
                "*:1,0,1,0,0,1,2"), summary(summaryTarget().queryParam("stale", "true")));
        assertEquals(List.of(
                "db:2,0,0,1,1,0,1",
                "*:2,0,0,1,1,0,1"), summary(summaryTarget().queryParam("status", "failed", "UNKNOWN")));
        assertEquals(List.of(
                "cache:1,1,0,0,0,0,0",
                "db:1,0,0,0,1,0,0",
                "web:1,0,1,0,0,0,1",
                "*:3,1,1,0,1,0,1"), summary(summaryTarget().queryParam("environment", "dev")));
        // Cache busting parameters are ignored.
        assertEquals(5, summary(summaryTarget().queryParam("_", "123")).size());
        // Nothing matches: an empty array, no "*" row.
        assertEquals(List.of(), summary(summaryTarget().queryParam("environment", "none")));

        assertError(answer(summaryTarget().queryParam("colour", "red").request().get()), 400, "unknown_parameter",
                "colour");
        assertError(answer(summaryTarget().queryParam("stale", "maybe").request().get()), 400, "validation_failed",
                "stale");
    }

    @Test
    void theSummaryIsARevalidatableRead() {
        fleet();
        String tag;
        try (Response response = summaryTarget().request().get()) {
            assertEquals(200, response.getStatus());
            tag = response.getHeaderString("ETag");
            assertNotNull(tag);
        }
        try (Response response = summaryTarget().request().header("If-None-Match", tag).get()) {
            assertEquals(304, response.getStatus());
        }
        put("web", "w4", "failed", "prod");
        try (Response response = summaryTarget().request().header("If-None-Match", tag).get()) {
            assertEquals(200, response.getStatus(), "a write changes the summary");
        }
    }

    @Test
    void aGroupNamedSummaryStaysReachableThroughTheListFilter() {
        // Such a name is refused as input now; a data file written before may still hold one.
        String now = Instant.now().toString();
        storeDirectly(new StatusRecord("summary", "h1", null, null, null, "prod",
                "out_of_sync", List.of("/etc/one"), null, null, null, null, null, null, now, null, now));
        put("web", "w1", "synced", "prod");

        // The literal path wins: the summary, not the group's rows.
        assertEquals(List.of("summary:1,0,1,0,0,0,1", "web:1,1,0,0,0,0,0", "*:2,1,1,0,0,0,1"),
                summary(summaryTarget()));

        Answer group = answer(target("status").queryParam("server_group", "summary").request().get());
        assertEquals(200, group.status(), group.body());
        JsonNode rows = group.json();
        assertEquals(1, rows.size(), group.body());
        assertRowShape(rows.get(0));
        assertEquals("summary", rows.get(0).get("server_group").textValue());
        assertEquals("h1", rows.get(0).get("host").textValue());

        // A host of the group is at its own path, history included.
        JsonNode host = row("summary", "h1");
        assertEquals("out_of_sync", host.get("status").textValue());
        Answer history = get("status/summary/h1/history");
        assertEquals(200, history.status(), history.body());
        assertEquals(0, history.json().size(), "stored as it was, without transitions");

        // The group's summary through the filter.
        assertEquals(List.of("summary:1,0,1,0,0,0,1", "*:1,0,1,0,0,0,1"),
                summary(summaryTarget().queryParam("server_group", "summary")));

        // And it can be deleted host by host or by filter.
        storeDirectly(new StatusRecord("summary", "h2", null, null, null, "prod", "synced",
                List.of(), null, null, null, null, null, null, now, null, now));
        assertEquals(204, answer(target("status/summary/h1").request().delete()).status());
        assertEquals(List.of("summary/h2"), texts(post("status/delete", "{\"server_group\":\"summary\"}").json()
                .get("deleted")));
        assertEquals(List.of("web:1,1,0,0,0,0,0", "*:1,1,0,0,0,0,0"), summary(summaryTarget()));
    }
}
