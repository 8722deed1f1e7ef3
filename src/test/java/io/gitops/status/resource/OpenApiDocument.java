package io.gitops.status.resource;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.Error;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.dialect.Dialects;
import io.gitops.status.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The OpenAPI document as the tests read it: its routes ({@code "METHOD /path"}), the answers it
 * documents for each, and a JSON Schema validator (draft 2020-12 in the OpenAPI 3.1 dialect, format
 * assertions on) over its schemas, addressed by JSON pointer into the document so that their
 * {@code $ref}s resolve as in any OpenAPI tool.
 */
final class OpenApiDocument {

    private static final String URI = "https://gitops-status.invalid/openapi.json";
    private static final List<String> METHODS = List.of("get", "put", "post", "delete", "patch", "head", "options",
            "trace");

    private final JsonNode root;
    private final SchemaRegistry schemas;

    OpenApiDocument(String text) {
        try {
            this.root = Json.mapper().readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.schemas = SchemaRegistry.withDefaultDialect(Dialects.getOpenApi31(), builder -> builder
                .schemas(Map.of(URI, text))
                .schemaRegistryConfig(SchemaRegistryConfig.builder().formatAssertionsEnabled(true).build()));
    }

    JsonNode root() {
        return root;
    }

    /** Every operation, as {@code "GET /status/{server_group}"}. */
    Set<String> routes() {
        Set<String> routes = new TreeSet<>();
        root.get("paths").properties().forEach(path -> METHODS.stream()
                .filter(method -> path.getValue().has(method))
                .forEach(method -> routes.add(method.toUpperCase(Locale.ROOT) + " " + path.getKey())));
        return routes;
    }

    /** The pointer of a route's operation object. */
    static String operationPointer(String route) {
        String[] parts = route.split(" ", 2);
        return "/paths/" + escape(parts[1]) + "/" + parts[0].toLowerCase(Locale.ROOT);
    }

    JsonNode operation(String route) {
        JsonNode operation = root.at(operationPointer(route));
        if (operation.isMissingNode()) {
            throw new AssertionError("the document has no operation " + route);
        }
        return operation;
    }

    /** The statuses a route documents, e.g. {@code [200, 304, 400, ...]}. */
    Set<Integer> statuses(String route) {
        Set<Integer> statuses = new TreeSet<>();
        operation(route).get("responses").fieldNames().forEachRemaining(code -> statuses.add(Integer.valueOf(code)));
        return statuses;
    }

    /**
     * Whether a route answers 400 to a query parameter it does not know: it lists the
     * {@code _ignored} parameter, which says so (badges, for one, ignore unknown names).
     */
    boolean refusesUnknownParameters(String route) {
        for (JsonNode parameter : operation(route).path("parameters")) {
            if ("#/components/parameters/ignored".equals(parameter.path("$ref").textValue())) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether every success of a route carries an {@code ETag}: its 200 answer documents the header
     * as required ({@code GET /} tags its page, not its JSON description).
     */
    boolean alwaysTagged(String route) {
        String pointer = responsePointer(route, 200);
        return pointer != null && root.at(pointer).path("headers").has("ETag")
                && root.at(follow(pointer + "/headers/ETag")).path("required").asBoolean();
    }

    /** The pointer of the response object a route documents for {@code status}, its $ref followed; null when none. */
    String responsePointer(String route, int status) {
        String pointer = operationPointer(route) + "/responses/" + status;
        return root.at(pointer).isMissingNode() ? null : follow(pointer);
    }

    /** The media type of a route's first documented 2xx answer with a body; JSON when none has one. */
    String successMediaType(String route) {
        for (int status : statuses(route)) {
            JsonNode content = status < 300 ? root.at(responsePointer(route, status)).path("content") : null;
            if (content != null && content.size() > 0) {
                return content.fieldNames().next();
            }
        }
        return "application/json";
    }

    /** The pointer of the request body's JSON schema, null when the route takes no body. */
    String requestSchemaPointer(String route) {
        String body = operationPointer(route) + "/requestBody";
        return root.at(body).isMissingNode() ? null : follow(body) + "/content/application~1json/schema";
    }

    /** The examples of a route's request body, by name: their values, $refs followed. */
    Map<String, JsonNode> requestExamples(String route) {
        String pointer = requestSchemaPointer(route);
        Map<String, JsonNode> examples = new LinkedHashMap<>();
        if (pointer != null) {
            root.at(pointer.substring(0, pointer.length() - "/schema".length()) + "/examples").properties()
                    .forEach(e -> examples.put(e.getKey(), e.getValue().has("$ref")
                            ? root.at(follow(e.getValue().get("$ref").textValue().substring(1))).get("value")
                            : e.getValue().get("value")));
        }
        return examples;
    }

    /** Follows the {@code $ref} of the object at {@code pointer} (a response, a request body, an example). */
    private String follow(String pointer) {
        JsonNode node = root.at(pointer);
        while (node.has("$ref") && node.get("$ref").textValue().startsWith("#")) {
            pointer = node.get("$ref").textValue().substring(1);
            node = root.at(pointer);
        }
        return pointer;
    }

    /** The problems of {@code instance} against the schema at {@code pointer}; empty when it conforms. */
    List<String> validate(String pointer, JsonNode instance) {
        List<String> problems = new ArrayList<>();
        if (root.at(pointer).isMissingNode()) {
            problems.add("no schema at " + pointer);
            return problems;
        }
        for (Error error : schemas.getSchema(SchemaLocation.of(URI + "#" + fragment(pointer))).validate(instance)) {
            problems.add(error.toString());
        }
        return problems;
    }

    /**
     * What is wrong with a live answer of {@code route} by the document: an undocumented status or
     * media type, a body that breaks the response's schema, a required header missing, a header
     * that breaks its schema. Empty when the answer conforms.
     */
    List<String> problems(String route, int status, String contentType, Function<String, String> header,
            String body) {
        List<String> problems = new ArrayList<>();
        String pointer = responsePointer(route, status);
        if (pointer == null) {
            problems.add(route + " does not document status " + status + " (answered " + body + ")");
            return problems;
        }
        JsonNode response = root.at(pointer);
        root.at(pointer).path("headers").properties().forEach(h -> {
            String headerPointer = follow(pointer + "/headers/" + escape(h.getKey()));
            String value = header.apply(h.getKey());
            if (value == null) {
                if (root.at(headerPointer).path("required").asBoolean()) {
                    problems.add("required header " + h.getKey() + " is missing");
                }
            } else {
                validate(headerPointer + "/schema", Json.mapper().getNodeFactory().textNode(value))
                        .forEach(p -> problems.add("header " + h.getKey() + ": " + p));
            }
        });
        if (!response.has("content")) {
            if (!body.isEmpty()) {
                problems.add("status " + status + " documents no body, answered " + body);
            }
            return problems;
        }
        String mediaType = mediaType(response, contentType);
        if (mediaType == null) {
            problems.add("status " + status + " does not document Content-Type " + contentType);
            return problems;
        }
        JsonNode instance;
        try {
            instance = mediaType.startsWith("application/json") ? Json.mapper().readTree(body)
                    : Json.mapper().getNodeFactory().textNode(body);
        } catch (IOException e) {
            problems.add("body is not JSON: " + body);
            return problems;
        }
        validate(pointer + "/content/" + escape(mediaType) + "/schema", instance)
                .forEach(p -> problems.add("body: " + p));
        return problems;
    }

    /** The content entry of a response for an answer's {@code Content-Type}: exact, else by type/subtype. */
    static String mediaType(JsonNode response, String contentType) {
        JsonNode content = response.get("content");
        if (content == null || contentType == null) {
            return null;
        }
        Function<String, String> base = type -> type.split(";")[0].trim().toLowerCase(Locale.ROOT);
        List<String> keys = new ArrayList<>();
        content.fieldNames().forEachRemaining(keys::add);
        return keys.stream().filter(key -> key.equalsIgnoreCase(contentType.replace(";charset", "; charset")))
                .findFirst()
                .orElse(keys.stream().filter(key -> base.apply(key).equals(base.apply(contentType))).findFirst()
                        .orElse(null));
    }

    static String escape(String segment) {
        return segment.replace("~", "~0").replace("/", "~1");
    }

    /** A JSON pointer as a URI fragment: each segment percent-encoded. */
    private static String fragment(String pointer) {
        StringBuilder fragment = new StringBuilder();
        for (String segment : pointer.substring(1).split("/", -1)) {
            fragment.append('/');
            for (byte b : segment.getBytes(StandardCharsets.UTF_8)) {
                char c = (char) (b & 0xff);
                boolean unreserved = c < 0x80 && (Character.isLetterOrDigit(c) || "-._~".indexOf(c) >= 0);
                fragment.append(unreserved ? String.valueOf(c) : String.format("%%%02X", b & 0xff));
            }
        }
        return fragment.toString();
    }
}
