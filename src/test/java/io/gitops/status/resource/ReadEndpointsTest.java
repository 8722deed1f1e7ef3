package io.gitops.status.resource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.ws.rs.client.WebTarget;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Contract §1 output rules and §4: GET /status, filters, sorting, group and host reads. */
class ReadEndpointsTest extends ApiTestSupport {

    private void put(String group, String host, String status, String environment, String serverType,
            String project, String repo, String validation) {
        StringBuilder json = new StringBuilder("{\"server_group\": " + q(group) + ", \"host\": " + q(host)
                + ", \"status\": " + q(status));
        if (environment != null) {
            json.append(", \"environment\": ").append(q(environment));
        }
        if (serverType != null) {
            json.append(", \"server_type\": ").append(q(serverType));
        }
        if (project != null) {
            json.append(", \"project_name\": ").append(q(project));
        }
        if (repo != null) {
            json.append(", \"repo_name\": ").append(q(repo));
        }
        if (validation != null) {
            json.append(", \"validation_status\": ").append(q(validation));
        }
        pipelineOk(json.append('}').toString());
    }

    private void fleet() {
        put("rsyslog-prod", "rsyslog-01", "synced", "prod", "rsyslog", "gitops", "rsyslog", "passed");
        put("rsyslog-prod", "rsyslog-02", "out_of_sync", "prod", "rsyslog", "gitops", "rsyslog", "failed");
        put("rsyslog-dev", "rsyslog-01", "failed", "dev", "rsyslog", "gitops", "rsyslog-dev", "skipped");
        put("splunk-prod", "idx-01", "synced", "prod", "splunk", "splunk-ops", "splunk", null);
        put("nginx-staging", "web-01", "unknown", "staging", "nginx", null, null, null);
    }

    private List<String> query(WebTarget target) {
        Answer a = answer(target.request().get());
        assertEquals(200, a.status(), a.body());
        assertEquals("no-cache", a.cacheControl());
        return keys(a.json());
    }

    @Test
    void anEmptyStoreListsAnEmptyArray() {
        Answer a = get("status");
        assertEquals(200, a.status());
        assertEquals("[]", a.body().replaceAll("\\s", ""));
        assertEquals("no-cache", a.cacheControl());
        assertTrue(a.contentType().startsWith("application/json"), a.contentType());
    }

    @Test
    void everyRowCarriesEveryFieldInOrderWithNullForUnknownValues() {
        fleet();
        JsonNode rows = get("status").json();
        assertEquals(5, rows.size());
        for (JsonNode row : rows) {
            assertRowShape(row);
            List<String> names = names(row);
            assertEquals(names, names(rows.get(0)), "every row has the same columns");
        }
        JsonNode nginx = row("nginx-staging", "web-01");
        assertEquals(RECORD_FIELDS, names(nginx).subList(0, RECORD_FIELDS.size()));
        for (String field : List.of("project_name", "repo_name", "validation_status", "validation_message",
                "commit_sha", "branch", "updated_by", "last_cron_check")) {
            assertTrue(nginx.get(field).isNull(), field + " must be null, not missing: " + nginx);
        }
        assertEquals(nginx, get("status/nginx-staging").json().get(0));
    }

    @Test
    void rowsAreSortedByServerGroupThenHostInPlainStringOrder() {
        // Written in an order that is neither the answer nor the key order.
        for (String[] k : new String[][] {{"b", "a"}, {"a-b", "x"}, {"a", "a"}, {"A", "z"}, {"a", "B"},
                {"a.b", "c"}, {"a", "A1"}, {"a", "10"}, {"a", "9"}}) {
            put(k[0], k[1], "synced", null, null, null, null, null);
        }
        // Plain string order: "A" < "a" < "a-b" < "a.b" < "b"; hosts "10" < "9" < "A1" < "B" < "a".
        // Key order would put "a-b/x" and "a.b/c" before "a/…"; case-insensitive order "a/a" before "a/B".
        List<String> expected = List.of("A/z", "a/10", "a/9", "a/A1", "a/B", "a/a", "a-b/x", "a.b/c", "b/a");
        assertEquals(expected, keys(get("status").json()));
        assertEquals(List.of("a/10", "a/9", "a/A1", "a/B", "a/a"), keys(get("status/a").json()));
        assertEquals(List.of("a/10", "a/9", "a/A1", "a/B", "a/a"),
                query(target("status").queryParam("server_group", "a")));
    }

    @Test
    void eachFilterIsAnExactMatch() {
        fleet();
        WebTarget status = target("status");
        assertEquals(List.of("rsyslog-prod/rsyslog-01", "rsyslog-prod/rsyslog-02"),
                query(status.queryParam("server_group", "rsyslog-prod")));
        assertEquals(List.of("rsyslog-dev/rsyslog-01", "rsyslog-prod/rsyslog-01"),
                query(status.queryParam("host", "rsyslog-01")));
        assertEquals(List.of("rsyslog-prod/rsyslog-01", "splunk-prod/idx-01"),
                query(status.queryParam("status", "synced")));
        assertEquals(List.of("nginx-staging/web-01"), query(status.queryParam("environment", "staging")));
        assertEquals(List.of("splunk-prod/idx-01"), query(status.queryParam("server_type", "splunk")));
        assertEquals(List.of("rsyslog-dev/rsyslog-01", "rsyslog-prod/rsyslog-01", "rsyslog-prod/rsyslog-02"),
                query(status.queryParam("project_name", "gitops")));
        assertEquals(List.of("rsyslog-prod/rsyslog-01", "rsyslog-prod/rsyslog-02"),
                query(status.queryParam("repo_name", "rsyslog")));
        assertEquals(List.of("rsyslog-prod/rsyslog-02"), query(status.queryParam("validation_status", "failed")));
        // Exact: no prefix or substring matches.
        assertEquals(List.of(), query(status.queryParam("server_group", "rsyslog")));
        assertEquals(List.of(), query(status.queryParam("repo_name", "rsys")));
    }

    @Test
    void repeatsAreOrAndDifferentNamesAreAnd() {
        fleet();
        WebTarget status = target("status");
        assertEquals(List.of("rsyslog-dev/rsyslog-01", "rsyslog-prod/rsyslog-01", "splunk-prod/idx-01"),
                query(status.queryParam("status", "synced", "failed")));
        assertEquals(List.of("rsyslog-prod/rsyslog-01"),
                query(status.queryParam("status", "synced").queryParam("server_type", "rsyslog")));
        assertEquals(List.of("rsyslog-prod/rsyslog-01", "rsyslog-prod/rsyslog-02", "splunk-prod/idx-01"),
                query(status.queryParam("environment", "prod").queryParam("status", "synced", "out_of_sync")));
        assertEquals(List.of("rsyslog-dev/rsyslog-01"), query(status.queryParam("host", "rsyslog-01")
                .queryParam("server_group", "rsyslog-dev", "splunk-prod")));
        assertEquals(List.of(), query(status.queryParam("environment", "dev").queryParam("status", "synced")));
    }

    @Test
    void anUnknownQueryParameterIs400AndUnderscoreParametersAreIgnored() {
        fleet();
        for (String name : List.of("sort", "Status", "changed_files_count", "commit_sha", "timestamp", "labels")) {
            assertError(answer(target("status").queryParam(name, "x").request().get()), 400,
                    "unknown_parameter", name);
        }
        assertError(answer(target("status").queryParam("status", "synced").queryParam("limit", "1").request().get()),
                400, "unknown_parameter", "limit");
        assertEquals(5, query(target("status").queryParam("_", "1714000000")).size());
        assertEquals(List.of("splunk-prod/idx-01"), query(target("status").queryParam("_ts", "1")
                .queryParam("_", "x").queryParam("server_type", "splunk")));
    }

    @Test
    void aGroupReadListsThatGroupsRowsAndAnUnknownGroupIsAnEmptyArray() {
        fleet();
        assertEquals(List.of("rsyslog-prod/rsyslog-01", "rsyslog-prod/rsyslog-02"),
                keys(get("status/rsyslog-prod").json()));
        assertEquals(get("status").json().get(2), get("status/rsyslog-prod").json().get(0));
        Answer empty = get("status/no-such-group");
        assertEquals(200, empty.status(), empty.body());
        assertEquals("[]", empty.body().replaceAll("\\s", ""));
        assertEquals("no-cache", empty.cacheControl());
        assertEquals("[]", get("status/rsyslog").body().replaceAll("\\s", ""), "no prefix match");
    }

    @Test
    void aHostReadAnswersTheRowOr404() {
        fleet();
        Answer a = get("status/splunk-prod/idx-01");
        assertEquals(200, a.status());
        assertEquals("no-cache", a.cacheControl());
        JsonNode row = a.json();
        assertRowShape(row);
        assertEquals("splunk-prod", text(row, "server_group"));
        assertEquals("idx-01", text(row, "host"));
        assertEquals("splunk", text(row, "server_type"));
        assertError(get("status/splunk-prod/idx-02"), 404, "not_found", null);
        assertError(get("status/nope/idx-01"), 404, "not_found", null);
        Answer missing = get("status/splunk-prod/idx-02");
        assertEquals("no-cache", missing.cacheControl());
    }

    @Test
    void identitiesWithDotsAndColonsReadBackThroughTheirUrls() {
        put("db.prod", "pg-01.example.com:5432", "synced", null, null, null, null, null);
        assertEquals("pg-01.example.com:5432", text(row("db.prod", "pg-01.example.com:5432"), "host"));
        assertEquals(List.of("db.prod/pg-01.example.com:5432"), keys(get("status/db.prod").json()));
    }
}
