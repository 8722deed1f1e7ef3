package io.gitops.status.grafana;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The dashboard is importable as is (Grafana's dashboard model, the data source as an import
 * input, the Infinity plugin required, every query with the backend parser) and the provisioning
 * files parse as Grafana reads them.
 */
class GrafanaFilesTest {

    private static final String PLUGIN = "yesoreyeram-infinity-datasource";
    private static final String INPUT = "DS_GITOPS_STATUS";
    private static final String DS_UID = "${" + INPUT + "}";
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @Test
    void dashboardFollowsGrafanasModel() throws IOException {
        JsonNode d = Dashboard.load().json();
        assertEquals("gitops-status", d.path("uid").asText());
        assertFalse(d.path("title").asText().isBlank());
        assertTrue(d.path("schemaVersion").isInt() && d.path("schemaVersion").asInt() >= 36, "schemaVersion of Grafana 10+");
        JsonNode input = d.path("__inputs").get(0);
        assertEquals(INPUT, input.path("name").asText());
        assertEquals("datasource", input.path("type").asText());
        assertEquals(PLUGIN, input.path("pluginId").asText());
        assertTrue(contains(d.path("__requires"), r -> r.path("type").asText().equals("datasource") && r.path("id").asText().equals(PLUGIN)));
        assertTrue(contains(d.path("templating").path("list"), v -> v.path("name").asText().equals(INPUT)
                && v.path("type").asText().equals("datasource") && v.path("query").asText().equals(PLUGIN)),
                "a provisioned copy resolves the input through a data source variable of the same name");

        Set<Integer> ids = new HashSet<>();
        Set<String> titles = new HashSet<>();
        for (JsonNode panel : d.path("panels")) {
            String title = panel.path("title").asText();
            assertTrue(ids.add(panel.path("id").asInt()), "duplicate panel id: " + title);
            assertTrue(titles.add(title), "duplicate panel title: " + title);
            JsonNode grid = panel.path("gridPos");
            for (String k : List.of("h", "w", "x", "y")) {
                assertTrue(grid.path(k).isInt(), title + ": gridPos." + k);
            }
            assertTrue(grid.path("x").asInt() + grid.path("w").asInt() <= 24, title + ": wider than the grid");
            assertDataSource(panel, title);
            assertFalse(panel.path("targets").isEmpty(), title + ": no query");
            panel.path("targets").forEach(t -> assertBackendQuery(t, title));
        }
        d.path("annotations").path("list").forEach(a -> {
            if (a.has("target")) {
                assertDataSource(a, a.path("name").asText());
                assertBackendQuery(a.path("target"), a.path("name").asText());
            }
        });
        Dashboard.load().queryVariables().forEach(v -> {
            assertDataSource(v, v.path("name").asText());
            assertEquals("infinity", v.path("query").path("queryType").asText());
            assertBackendQuery(v.path("query").path("infinityQuery"), v.path("name").asText());
        });
    }

    @Test
    void dashboardNamesOnlyItsOwnInputAndNoVarPrefixedParameters() throws IOException {
        String text = Files.readString(Dashboard.FILE);
        Matcher m = Pattern.compile("\\$\\{DS_[A-Za-z0-9_]*}").matcher(text);
        while (m.find()) {
            assertEquals(DS_UID, m.group());
        }
        // Grafana's queryparam format writes var-<name>=..., which the API refuses as unknown
        assertFalse(text.contains(":queryparam"), "queryparam gives var-group=..., not server_group=...");
    }

    @Test
    void datasourceProvisioningParses() throws IOException {
        JsonNode file = YAML.readTree(Path.of("grafana/provisioning/datasources/gitops-status.yaml").toFile());
        assertEquals(1, file.path("apiVersion").asInt());
        JsonNode ds = file.path("datasources").get(0);
        assertEquals(PLUGIN, ds.path("type").asText());
        assertEquals("proxy", ds.path("access").asText());
        assertEquals("$GITOPS_STATUS_URL", ds.path("url").asText());
        assertEquals("bearerToken", ds.path("jsonData").path("auth_method").asText());
        assertEquals("$GITOPS_STATUS_URL", ds.path("jsonData").path("allowedHosts").get(0).asText());
        assertEquals("$GITOPS_STATUS_TOKEN", ds.path("secureJsonData").path("bearerToken").asText());
    }

    @Test
    void dashboardProvisioningParses() throws IOException {
        JsonNode file = YAML.readTree(Path.of("grafana/provisioning/dashboards/gitops-status.yaml").toFile());
        assertEquals(1, file.path("apiVersion").asInt());
        JsonNode provider = file.path("providers").get(0);
        assertEquals("file", provider.path("type").asText());
        assertTrue(provider.path("options").path("path").asText().startsWith("/"), "an absolute folder");
    }

    private static void assertDataSource(JsonNode node, String where) {
        assertEquals(PLUGIN, node.path("datasource").path("type").asText(), where);
        assertEquals(DS_UID, node.path("datasource").path("uid").asText(), where);
    }

    private static void assertBackendQuery(JsonNode target, String where) {
        assertEquals("json", target.path("type").asText(), where);
        assertEquals("url", target.path("source").asText(), where);
        assertEquals("backend", target.path("parser").asText(), where + ": the backend parser, so that alerting runs it");
        assertTrue(target.path("url").asText().startsWith("/"), where + ": a URL relative to the data source");
    }

    private static boolean contains(JsonNode array, java.util.function.Predicate<JsonNode> test) {
        for (JsonNode n : array) {
            if (test.test(n)) {
                return true;
            }
        }
        return false;
    }
}
