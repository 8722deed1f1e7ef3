package io.gitops.status.grafana;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The dashboard JSON as the test walks it: every Infinity query (panel targets, annotation
 * queries, variable queries) and, for each panel and annotation, the field names it uses beside
 * its query's columns (overrides by name, the fields a stat or bar gauge reduces, sort order,
 * transformations, annotation mappings).
 */
public final class Dashboard {

    public static final Path FILE = Path.of("grafana", "gitops-status.json");
    private static final Pattern FIELDS_REGEX = Pattern.compile("/\\^\\(?([A-Za-z0-9_|]+)\\)?\\$/");

    private final JsonNode json;

    private Dashboard(JsonNode json) {
        this.json = json;
    }

    public static Dashboard load() throws IOException {
        return parse(Files.readString(FILE));
    }

    public static Dashboard parse(String text) throws IOException {
        return new Dashboard(new ObjectMapper().readTree(text));
    }

    public JsonNode json() {
        return json;
    }

    /** A panel's or annotation's query with the field names it uses. */
    public record Use(InfinityQuery query, List<String> fieldsUsed) {
    }

    public List<Use> panelAndAnnotationQueries() {
        List<Use> uses = new ArrayList<>();
        for (JsonNode panel : json.path("panels")) {
            List<String> fields = fieldsUsedBy(panel);
            for (JsonNode target : panel.path("targets")) {
                uses.add(new Use(new InfinityQuery("panel '" + panel.path("title").asText() + "' " + target.path("refId").asText(), target), fields));
            }
        }
        for (JsonNode annotation : json.path("annotations").path("list")) {
            if (annotation.has("target")) {
                List<String> fields = new ArrayList<>();
                annotation.path("mappings").forEach(m -> {
                    if ("field".equals(m.path("source").asText())) {
                        fields.add(m.path("value").asText());
                    }
                });
                uses.add(new Use(new InfinityQuery("annotation '" + annotation.path("name").asText() + "'", annotation.path("target")), fields));
            }
        }
        return uses;
    }

    /** The variables of type query, in the order Grafana resolves them (their order here). */
    public List<JsonNode> queryVariables() {
        List<JsonNode> variables = new ArrayList<>();
        json.path("templating").path("list").forEach(v -> {
            if ("query".equals(v.path("type").asText())) {
                variables.add(v);
            }
        });
        return variables;
    }

    public static InfinityQuery variableQuery(JsonNode variable) {
        return new InfinityQuery("variable " + variable.path("name").asText(), variable.path("query").path("infinityQuery"));
    }

    private static List<String> fieldsUsedBy(JsonNode panel) {
        List<String> fields = new ArrayList<>();
        panel.path("fieldConfig").path("overrides").forEach(o -> {
            if ("byName".equals(o.path("matcher").path("id").asText())) {
                fields.add(o.path("matcher").path("options").asText());
            }
        });
        String reduced = panel.path("options").path("reduceOptions").path("fields").asText("");
        if (!reduced.isEmpty()) {
            Matcher m = FIELDS_REGEX.matcher(reduced);
            if (!m.matches()) {
                throw new AssertionError("panel " + panel.path("title").asText() + ": reduceOptions.fields the test cannot read: " + reduced);
            }
            fields.addAll(List.of(m.group(1).split("\\|")));
        }
        panel.path("options").path("sortBy").forEach(s -> fields.add(s.path("displayName").asText()));
        for (JsonNode t : panel.path("transformations")) {
            JsonNode options = t.path("options");
            for (String map : List.of("renameByName", "indexByName", "excludeByName")) {
                options.path(map).fieldNames().forEachRemaining(fields::add);
            }
            options.path("include").path("names").forEach(n -> fields.add(n.asText()));
        }
        return fields;
    }
}
