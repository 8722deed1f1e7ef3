package io.gitops.status.resource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.gitops.status.ContractFields;
import io.gitops.status.SeedExamples;
import io.gitops.status.json.Json;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The OpenAPI document itself: valid OpenAPI 3.1 by swagger-parser, served as JSON with the build's
 * version and a tag, route for route the application's (read from Jersey's resource model, as
 * {@link EndpointListTest} does), its row schemas in the contract's field order, its reserved group
 * names the application's path words, and every example it gives valid by its own schemas.
 * {@link OpenApiAnswersTest} holds it to the live answers.
 */
class OpenApiDocumentTest extends ApiTestSupport {

    private OpenApiDocument document() {
        Answer a = get("openapi.json");
        assertEquals(200, a.status(), a.body());
        return new OpenApiDocument(a.body());
    }

    @Test
    void documentIsValidOpenApi31() {
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        SwaggerParseResult result = new OpenAPIV3Parser().readContents(get("openapi.json").body(), null, options);
        assertEquals(List.of(), result.getMessages());
        assertNotNull(result.getOpenAPI());
        assertEquals("3.1.0", result.getOpenAPI().getOpenapi());
        assertEquals(new TreeSet<>(document().routes()).size(), result.getOpenAPI().getPaths().values().stream()
                .mapToInt(path -> path.readOperations().size()).sum());
    }

    @Test
    void documentHasExactlyTheApplicationsRoutes() {
        assertEquals(ServedRoutes.of(application), document().routes());
    }

    @Test
    void servedAsJsonWithTheBuildsVersionAndATag() {
        Response first = target("openapi.json").request().get();
        String body = first.readEntity(String.class);
        assertEquals(200, first.getStatus());
        assertTrue(first.getHeaderString("Content-Type").startsWith("application/json"), first.getHeaderString("Content-Type"));
        assertEquals("no-cache", first.getHeaderString("Cache-Control"));
        String tag = first.getHeaderString("ETag");
        assertNotNull(tag);
        assertEquals(ServiceInfo.version(), document().root().at("/info/version").textValue());
        assertFalse(body.contains("${project"), "the build left a placeholder");
        Response again = target("openapi.json").request().header("If-None-Match", tag).get();
        assertEquals(304, again.getStatus());
        assertEquals(tag, again.getHeaderString("ETag"));
    }

    @Test
    void rowSchemasListTheContractsFieldsInOrder() {
        JsonNode schemas = document().root().at("/components/schemas");
        assertEquals(ContractFields.ROW, names(schemas.at("/Row/properties")));
        assertEquals(ContractFields.ROW, texts(schemas.at("/Row/required")));
        assertEquals(ContractFields.LEGACY, names(schemas.at("/LegacyStatus/properties")));
        assertEquals(ContractFields.LEGACY, texts(schemas.at("/LegacyStatus/required")));
    }

    @Test
    void reservedGroupNamesAreThePathWordsUnderStatus() {
        List<Class<?>> resources = application.getClasses().stream()
                .filter(type -> type.isAnnotationPresent(jakarta.ws.rs.Path.class)).toList();
        assertEquals(new TreeSet<>(PathWords.under("status", resources)),
                new TreeSet<>(texts(document().root().at("/components/schemas/ServerGroupInput/not/enum"))));
    }

    @Test
    void everyExampleConformsToItsSchema() {
        OpenApiDocument document = document();
        List<String> problems = new ArrayList<>();
        for (String route : document.routes()) {
            String request = document.requestSchemaPointer(route);
            document.requestExamples(route).forEach((name, value) -> document.validate(request, value)
                    .forEach(p -> problems.add(route + " request example " + name + ": " + p)));
            for (int status : document.statuses(route)) {
                String response = document.responsePointer(route, status);
                document.root().at(response).path("content").properties().forEach(media -> {
                    String schema = response + "/content/" + OpenApiDocument.escape(media.getKey()) + "/schema";
                    examples(document, media.getValue()).forEach(example -> document.validate(schema, example)
                            .forEach(p -> problems.add(route + " " + status + " example: " + p)));
                });
            }
        }
        assertEquals(List.of(), problems);
    }

    @Test
    void theSeedsBodiesConformAndBrokenOnesDoNot() {
        OpenApiDocument document = document();
        String pipeline = document.requestSchemaPointer("POST /status/pipeline");
        String cron = document.requestSchemaPointer("POST /status/cron");
        String legacy = document.requestSchemaPointer("POST /api/status");
        String bulk = document.requestSchemaPointer("POST /status/delete");
        Map<String, String> valid = Map.of(SeedExamples.PIPELINE, pipeline, SeedExamples.CRON, cron,
                SeedExamples.CRON_DRIFT, cron, SeedExamples.V1_SYNCED, legacy, SeedExamples.V1_DRIFT, legacy,
                "{\"server_group\": \"x\", \"host\": \"y\", \"status\": \"SYNCED\", \"commit_sha\": \"\", \"labels\": {\"a.b\": 1}}", pipeline,
                "{\"server_group\": \"lab\", \"stale\": \"TRUE\", \"_\": 5}", bulk);
        valid.forEach((body, schema) -> assertEquals(List.of(), document.validate(schema, json(body)), body));
        Map<String, String> refused = Map.of(
                "{\"server_group\": \"x\", \"host\": \"y\", \"status\": \"fine\"}", pipeline,
                "{\"server_group\": \"summary\", \"host\": \"y\", \"status\": \"synced\"}", pipeline,
                "{\"server_group\": \"x\", \"host\": \"a/b\", \"status\": \"synced\"}", pipeline,
                "{\"server_group\": \"x\", \"host\": \"y\", \"status\": \"synced\", \"last_pipeline_run\": \"2026-04-26T10:30:00\"}", pipeline,
                "{\"server_group\": \"x\", \"host\": \"y\", \"status\": \"synced\", \"labels\": {\"a b\": \"c\"}}", pipeline,
                "{\"server_group\": \"x\", \"host\": \"y\", \"changed_files\": [\"\"]}", cron,
                "{\"repo\": \"r\", \"server\": \"s\", \"sync_status\": \"SYNCED\", \"drift_count\": -1}", legacy,
                "{\"_\": 1}", bulk,
                "{\"colour\": \"red\"}", bulk);
        refused.forEach((body, schema) -> assertFalse(document.validate(schema, json(body)).isEmpty(), body));
    }

    /** The example values of a media type object: {@code example}, or each of {@code examples}, $refs followed. */
    private static List<JsonNode> examples(OpenApiDocument document, JsonNode media) {
        List<JsonNode> examples = new ArrayList<>();
        if (media.has("example")) {
            examples.add(media.get("example"));
        }
        media.path("examples").forEach(example -> examples.add(example.has("$ref")
                ? document.root().at(example.get("$ref").textValue().substring(1)).get("value")
                : example.get("value")));
        return examples;
    }

    private static JsonNode json(String text) {
        try {
            return Json.mapper().readTree(text);
        } catch (IOException e) {
            throw new AssertionError(text, e);
        }
    }
}
