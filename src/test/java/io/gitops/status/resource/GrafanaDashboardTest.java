package io.gitops.status.resource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gitops.status.grafana.Dashboard;
import io.gitops.status.grafana.InfinityQuery;
import io.gitops.status.grafana.Variables;
import io.gitops.status.grafana.Variables.Selection;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Runs every query of {@code grafana/gitops-status.json} against the live API, as Grafana and
 * Infinity's backend would send it, over seeded servers: the variables' queries first (their
 * options become the samples), then every panel target and the annotation query under several
 * selections (All, one group, two groups with one environment). Each answer must be 200 JSON with
 * an array of rows holding every column the query selects, and every field a panel names
 * elsewhere (overrides, reduced fields, sorting, mappings) must be one of its query's columns.
 */
class GrafanaDashboardTest extends ApiTestSupport {

    private Dashboard dashboard;
    private final Instant start = Instant.now();

    @BeforeEach
    void seed() throws Exception {
        dashboard = Dashboard.load();
        pipelineOk(server("rsyslog-prod", "rsyslog-01", "prod", "synced"));
        pipelineOk(server("rsyslog-prod", "rsyslog-02", "prod", "failed"));
        pipelineOk(server("splunk-prod", "splunk-01", "prod", "synced"));
        pipelineOk(server("lab", "lab-01", "staging", "synced"));
        cronOk("{\"server_group\":\"rsyslog-prod\",\"host\":\"rsyslog-01\",\"status\":\"out_of_sync\","
                + "\"changed_files\":[\"/etc/rsyslog.conf\",\"/etc/rsyslog.d/50-default.conf\"]}");
        cronOk("{\"server_group\":\"lab\",\"host\":\"lab-01\",\"status\":\"out_of_sync\",\"changed_files\":[\"/etc/lab.conf\"],"
                + "\"last_cron_check\":\"" + start.minusSeconds(7200) + "\"}");
        Answer legacy = post("api/status", "{\"repo\":\"legacy\",\"server\":\"old-01\",\"sync_status\":\"OUT_OF_SYNC\","
                + "\"files\":[{\"name\":\"rsyslog.conf\"}]}");
        assertEquals(200, legacy.status(), legacy.body()); // a server without environment
    }

    private static String server(String group, String host, String environment, String status) {
        return "{\"server_group\":\"" + group + "\",\"host\":\"" + host + "\",\"environment\":\"" + environment
                + "\",\"server_type\":\"rsyslog\",\"status\":\"" + status + "\",\"commit_sha\":\"abc1234\"}";
    }

    @Test
    void everyQueryAnswersWithTheColumnsItsPanelNames() {
        Map<String, Integer> rowsSeen = new LinkedHashMap<>();
        for (Variables variables : samples()) {
            for (Dashboard.Use use : dashboard.panelAndAnnotationQueries()) {
                InfinityQuery.Result result = check(use, variables);
                rowsSeen.merge(use.query().where(), result.rows().size(), Integer::sum);
            }
        }
        rowsSeen.forEach((where, rows) -> assertTrue(rows > 0, where + " never answered a row: its columns went unchecked"));
    }

    @Test
    void variablesFilterOnTheApiAsRepeatedParameters() {
        Map<String, List<Selection>> options = resolveVariables();
        List<Selection> groups = options.get("group");
        assertEquals(List.of("lab", "legacy", "rsyslog-prod", "splunk-prod"), groups.stream().map(s -> s.texts().get(0)).toList());
        assertEquals(List.of("prod", "staging"), options.get("environment").stream().map(s -> s.texts().get(0)).toList(),
                "a server without environment gives no option");
        Dashboard.Use servers = use("panel 'Servers'");

        Variables two = all(options).set("group", both(groups.get(2), groups.get(3)));
        InfinityQuery.Result result = check(servers, two);
        assertTrue(result.urls().get(0).contains("server_group=rsyslog-prod&server_group=splunk-prod"), result.urls().toString());
        assertEquals(Set.of("rsyslog-prod", "splunk-prod"), column(result, "server_group"));
        assertEquals(3, result.rows().size());

        Variables staging = all(options).set("environment", options.get("environment").get(1));
        assertEquals(Set.of("lab-01"), column(check(servers, staging), "host"));

        InfinityQuery.Result everything = check(servers, all(options));
        assertEquals(5, everything.rows().size(), "All filters nothing, a server without environment included");

        InfinityQuery.Result out = check(use("panel 'Out of sync'"), all(options).set("group", groups.get(2)));
        assertEquals(1, out.rows().size());
        assertEquals(1, ((Number) out.rows().get(0).get("out_of_sync")).intValue());
        InfinityQuery.Result stale = check(use("panel 'Stale'"), all(options));
        assertEquals(1, ((Number) stale.rows().get(0).get("stale")).intValue(), "lab-01 checked two hours ago");

        List<Selection> hosts = options.get("host");
        assertEquals("lab/lab-01", hosts.get(0).values().get(0), "the host variable carries its group, for the history path");
        InfinityQuery.Result history = check(use("panel 'History of ${host:text}'"), all(options).set("host", hosts.get(0)));
        assertEquals(List.of("out_of_sync", "synced"), history.rows().stream().map(r -> r.get("to")).toList());
    }

    @Test
    void annotationsFollowTheCursorAcrossPages() {
        Variables variables = all(resolveVariables());
        Dashboard.Use annotations = use("annotation 'Status changes'");
        InfinityQuery.Result whole = check(annotations, variables);
        int events = whole.rows().size();
        assertEquals(1, whole.urls().size(), "one page of 10,000 holds the seeded events");
        assertTrue(events >= 6, "events: " + events);

        ObjectNode paged = annotations.query().target().deepCopy();
        for (JsonNode p : paged.path("url_options").path("params")) {
            if (p.path("key").asText().equals("limit")) {
                ((ObjectNode) p).put("value", Integer.toString((events + 2) / 3));
            }
        }
        InfinityQuery.Result pages = check(new Dashboard.Use(new InfinityQuery("paged annotations", paged),
                annotations.fieldsUsed()), variables);
        assertTrue(pages.urls().size() >= 3, pages.urls().toString());
        assertTrue(pages.urls().get(1).contains("cursor="), pages.urls().toString());
        assertEquals(whole.rows(), pages.rows(), "pages merge to the same events, none lost or repeated");
    }

    @Test
    void aColumnTheApiDoesNotAnswerFailsTheCheck() throws Exception {
        String broken = Files.readString(Dashboard.FILE).replaceFirst("\"selector\": \"changed_files_count\"",
                "\"selector\": \"changed_file_count\"");
        Dashboard.Use servers = Dashboard.parse(broken).panelAndAnnotationQueries().stream()
                .filter(u -> u.query().where().startsWith("panel 'Servers'")).findFirst().orElseThrow();
        AssertionError error = assertThrows(AssertionError.class, () -> check(servers, all(resolveVariables())));
        assertTrue(error.getMessage().contains("column changed_file_count is not in the answer"), error.getMessage());

        String renamed = Files.readString(Dashboard.FILE).replaceFirst("\"options\": \"validation_status\"",
                "\"options\": \"validation\"");
        Dashboard.Use overridden = Dashboard.parse(renamed).panelAndAnnotationQueries().stream()
                .filter(u -> u.query().where().startsWith("panel 'Servers'")).findFirst().orElseThrow();
        assertThrows(AssertionError.class, () -> check(overridden, all(resolveVariables())));
    }

    // ---- running queries ------------------------------------------------------------------

    private InfinityQuery.Result check(Dashboard.Use use, Variables variables) {
        InfinityQuery.Result result = use.query().run(baseUrl(), variables, this::fetch);
        List<String> fields = use.query().fields();
        for (String used : use.fieldsUsed()) {
            assertTrue(fields.contains(used), use.query().where() + " uses field " + used + ", which its query does not select: " + fields);
        }
        return result;
    }

    private InfinityQuery.Reply fetch(URI uri) {
        try (Response response = client().target(uri).request().get()) {
            return new InfinityQuery.Reply(response.getStatus(), response.getHeaderString("Content-Type"),
                    response.readEntity(String.class));
        }
    }

    private String baseUrl() {
        String base = getBaseUri().toString();
        return base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    }

    private Dashboard.Use use(String prefix) {
        return dashboard.panelAndAnnotationQueries().stream().filter(u -> u.query().where().startsWith(prefix))
                .findFirst().orElseThrow(() -> new AssertionError("no query " + prefix));
    }

    // ---- variables ------------------------------------------------------------------------

    /** Each query variable's options, its query run with the variables before it at All. */
    private Map<String, List<Selection>> resolveVariables() {
        Map<String, List<Selection>> options = new LinkedHashMap<>();
        Variables before = time(new Variables());
        for (JsonNode variable : dashboard.queryVariables()) {
            InfinityQuery query = Dashboard.variableQuery(variable);
            Map<String, Selection> byValue = new LinkedHashMap<>();
            for (Map<String, Object> row : query.run(baseUrl(), before, this::fetch).rows()) {
                byValue.putIfAbsent(String.valueOf(row.get("__value")), Selection.of(String.valueOf(row.get("__value")),
                        String.valueOf(row.get("__text"))));
            }
            List<Selection> sorted = new ArrayList<>(byValue.values());
            sorted.sort((a, b) -> a.texts().get(0).compareTo(b.texts().get(0)));
            assertFalse(sorted.isEmpty(), "variable " + variable.path("name").asText() + " has no option");
            options.put(variable.path("name").asText(), sorted);
            before.set(variable.path("name").asText(), allOrFirst(variable, sorted));
        }
        return options;
    }

    private Variables all(Map<String, List<Selection>> options) {
        Variables variables = time(new Variables());
        for (JsonNode variable : dashboard.queryVariables()) {
            variables.set(variable.path("name").asText(), allOrFirst(variable, options.get(variable.path("name").asText())));
        }
        return variables;
    }

    /** The selections every query is run under: All, each single group, two groups in one environment. */
    private List<Variables> samples() {
        Map<String, List<Selection>> options = resolveVariables();
        List<Variables> samples = new ArrayList<>();
        samples.add(all(options));
        for (Selection group : options.get("group")) {
            samples.add(all(options).set("group", group));
        }
        for (Selection host : options.get("host")) {
            samples.add(all(options).set("host", host));
        }
        samples.add(all(options).set("group", both(options.get("group").get(0), options.get("group").get(2)))
                .set("environment", options.get("environment").get(0)));
        return samples;
    }

    private static Selection allOrFirst(JsonNode variable, List<Selection> options) {
        return variable.path("includeAll").asBoolean()
                ? Selection.of(variable.path("allValue").asText(), "All") : options.get(0);
    }

    private static Selection both(Selection a, Selection b) {
        return new Selection(List.of(a.values().get(0), b.values().get(0)), List.of(a.texts().get(0), b.texts().get(0)));
    }

    /** Grafana's time range macros: the last 6 hours to a minute ahead, in epoch milliseconds. */
    private Variables time(Variables variables) {
        return variables.set("__from", Selection.of(Long.toString(start.minusSeconds(21600).toEpochMilli()), "from"))
                .set("__to", Selection.of(Long.toString(Instant.now().plusSeconds(60).toEpochMilli()), "to"));
    }

    private static Set<Object> column(InfinityQuery.Result result, String name) {
        Set<Object> values = new HashSet<>();
        result.rows().forEach(r -> values.add(r.get(name)));
        return values;
    }
}
