package io.gitops.status.grafana;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * One Infinity query of the dashboard (a panel target, the annotation's target or a variable's
 * query), run against the live API as Infinity's backend runs it:
 * <ol>
 * <li>the frontend interpolates {@code url}, the values of {@code url_options.params}, the filter
 * and the computed columns (glob format unless the reference names one);</li>
 * <li>the backend appends {@code url} to the data source's URL, parses its query string, adds each
 * parameter ({@code q.Add}: repeats stay repeats) and encodes the query again, keys sorted (Go's
 * {@code url.Values.Encode});</li>
 * <li>with {@code pagination_mode} {@code cursor}, it sends the first page without the cursor,
 * then {@code cursor=<value at the extraction path>} until that is empty, at most
 * {@code pagination_max_pages} pages (Infinity caps it at 5), and merges the pages;</li>
 * <li>{@code root_selector} picks the rows, {@code columns} project them (selector to text), then
 * the computed columns and the filter apply.</li>
 * </ol>
 * Every answer must be 200 and JSON, its rows an array of objects holding every column selector.
 */
public final class InfinityQuery {

    /** An HTTP answer read whole. */
    public record Reply(int status, String contentType, String body) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int INFINITY_MAX_PAGES = 5;

    private final String where;
    private final JsonNode target;

    public InfinityQuery(String where, JsonNode target) {
        this.where = where;
        this.target = target;
    }

    public String where() {
        return where;
    }

    public JsonNode target() {
        return target;
    }

    /** The column texts and computed aliases: the fields of the frame the panel sees. */
    public List<String> fields() {
        List<String> fields = new ArrayList<>();
        target.path("columns").forEach(c -> fields.add(c.path("text").asText(c.path("selector").asText())));
        target.path("computed_columns").forEach(c -> fields.add(c.path("text").asText()));
        return fields;
    }

    /** The request URLs, in order, and the frame's rows. */
    public record Result(List<String> urls, List<Map<String, Object>> rows) {
    }

    public Result run(String baseUrl, Variables variables, Function<URI, Reply> http) {
        String url = variables.interpolate(target.path("url").asText(), "glob");
        Map<String, List<String>> params = new LinkedHashMap<>();
        for (JsonNode p : target.path("url_options").path("params")) {
            params.computeIfAbsent(p.path("key").asText(), k -> new ArrayList<>())
                    .add(variables.interpolate(p.path("value").asText(), "glob"));
        }
        boolean cursorPaging = "cursor".equals(target.path("pagination_mode").asText());
        int maxPages = cursorPaging ? Math.min(Math.max(target.path("pagination_max_pages").asInt(1), 1),
                INFINITY_MAX_PAGES) : 1;
        List<String> urls = new ArrayList<>();
        List<Map<String, Object>> rows = new ArrayList<>();
        String cursor = "";
        for (int page = 0; page < maxPages && (page == 0 || !cursor.isEmpty()); page++) {
            Map<String, List<String>> pageParams = new LinkedHashMap<>(params);
            if (page > 0) {
                pageParams.put(target.path("pagination_param_cursor_field_name").asText("cursor"), List.of(cursor));
            }
            String full = requestUrl(baseUrl, url, pageParams);
            urls.add(full);
            JsonNode body = fetch(http, full);
            rows.addAll(rows(body, full));
            cursor = cursorPaging ? textAt(body, target.path("pagination_param_cursor_extraction_path").asText()) : "";
        }
        List<Map<String, Object>> frame = project(rows);
        for (JsonNode c : target.path("computed_columns")) {
            Frames.compute(frame, variables.interpolate(c.path("selector").asText(), "glob"), c.path("text").asText());
        }
        return new Result(urls, Frames.filter(frame, variables.interpolate(target.path("filterExpression").asText(""), "glob")));
    }

    /** Go's url.Parse, Query, Add and Encode on Infinity's base URL + url. */
    static String requestUrl(String baseUrl, String url, Map<String, List<String>> params) {
        String full = url.startsWith(baseUrl) ? url : baseUrl + url;
        int q = full.indexOf('?');
        String path = q < 0 ? full : full.substring(0, q);
        Map<String, List<String>> query = new TreeMap<>();
        if (q >= 0) {
            for (String pair : full.substring(q + 1).split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                query.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
            }
        }
        params.forEach((key, values) -> query.computeIfAbsent(key, k -> new ArrayList<>()).addAll(values));
        StringBuilder encoded = new StringBuilder();
        query.forEach((key, values) -> values.forEach(value -> encoded.append(encoded.isEmpty() ? "" : "&")
                .append(URLEncoder.encode(key, StandardCharsets.UTF_8)).append('=')
                .append(URLEncoder.encode(value, StandardCharsets.UTF_8))));
        return encoded.isEmpty() ? path : path + "?" + encoded;
    }

    private JsonNode fetch(Function<URI, Reply> http, String url) {
        Reply reply = http.apply(URI.create(url));
        assertEquals(200, reply.status(), where + ": GET " + url + " answered " + reply.body());
        assertTrue(reply.contentType() != null && reply.contentType().startsWith("application/json"),
                where + ": GET " + url + " is not JSON: " + reply.contentType());
        try {
            return JSON.readTree(reply.body());
        } catch (IOException e) {
            throw new AssertionError(where + ": GET " + url + " is not JSON: " + reply.body(), e);
        }
    }

    /** The rows at root_selector, each checked to hold every column selector. */
    private List<Map<String, Object>> rows(JsonNode body, String url) {
        String root = target.path("root_selector").asText("");
        JsonNode rows = root.isEmpty() ? body : body.path(root);
        assertTrue(rows.isArray(), where + ": GET " + url + (root.isEmpty() ? " is not an array" : " has no array at " + root) + ": " + body);
        List<Map<String, Object>> out = new ArrayList<>();
        for (JsonNode row : rows) {
            assertTrue(row.isObject(), where + ": a row is not an object: " + row);
            for (JsonNode c : target.path("columns")) {
                String selector = c.path("selector").asText();
                assertTrue(row.has(selector), where + ": column " + selector + " is not in the answer of GET " + url + ": " + row);
            }
            out.add(JSON.convertValue(row, Map.class));
        }
        return out;
    }

    private List<Map<String, Object>> project(List<Map<String, Object>> rows) {
        if (target.path("columns").isEmpty()) {
            return Frames.copy(rows);
        }
        List<Map<String, Object>> frame = new ArrayList<>();
        for (Map<String, Object> row : rows) {
            Map<String, Object> projected = new LinkedHashMap<>();
            target.path("columns").forEach(c -> projected.put(c.path("text").asText(c.path("selector").asText()),
                    row.get(c.path("selector").asText())));
            frame.add(projected);
        }
        return frame;
    }

    /** gjson's String() of a path: "" for a missing or null value. */
    private static String textAt(JsonNode body, String path) {
        JsonNode node = body.path(path);
        return node.isMissingNode() || node.isNull() ? "" : node.asText();
    }
}
