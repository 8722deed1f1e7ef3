package io.gitops.status.resource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.ws.rs.client.Entity;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Contract §8: every error is JSON {"error", "message"[, "field"]} with the right code, never HTML. */
class ErrorsTest extends ApiTestSupport {

    @Test
    void unknownPathsAre404NotFoundInJson() {
        for (String path : List.of("nope", "status/a/b/c", "api", "api/status/x", "api/v2/status", "status.json/x",
                "health/x", "ready/now", "index.html", "status/pipeline/x/y")) {
            Answer a = get(path);
            assertEquals(404, a.status(), path + ": " + a.body());
            assertError(a, 404, "not_found", null);
            assertEquals("no-cache", a.cacheControl(), path);
        }
        assertError(post("no/such/endpoint", "{}"), 404, "not_found", null);
    }

    @Test
    void wrongMethodsAre405MethodNotAllowedInJson() {
        String json = "{\"server_group\": \"g\", \"host\": \"h\", \"status\": \"synced\"}";
        pipelineOk(json);
        record Call(String method, String path) {
        }
        for (Call call : List.of(new Call("PUT", "status/g"), new Call("PUT", "status/g/h"),
                new Call("POST", "status/g/h"), new Call("PUT", "status/pipeline"), new Call("PUT", "status/cron"),
                new Call("POST", "status"), new Call("DELETE", "status"), new Call("PUT", "api/status"),
                new Call("DELETE", "api/status"), new Call("POST", "status.json"), new Call("POST", "health"),
                new Call("DELETE", "ready"), new Call("POST", ""), new Call("POST", "status/g"))) {
            Answer a = assertChangesNothing(() -> answer(target(call.path()).request().method(call.method(),
                    call.method().equals("DELETE") ? null : Entity.entity(json, MediaType.APPLICATION_JSON))));
            assertEquals(405, a.status(), call + ": " + a.body());
            assertError(a, 405, "method_not_allowed", null);
            assertNotNull(a.allow(), call + " should say what is allowed");
            assertEquals("no-cache", a.cacheControl(), call.toString());
        }
    }

    @Test
    void eachErrorCodeHasItsStatusAndTheFieldOnlyWhenOneFieldIsAtFault() throws Exception {
        String ok = "{\"server_group\": \"g\", \"host\": \"h\", \"status\": \"synced\"}";
        assertError(pipeline("{"), 400, "invalid_json", null);
        assertError(pipeline("{\"server_group\": \"g\", \"host\": \"h\", \"status\": \"bad\"}"), 400,
                "validation_failed", "status");
        assertError(answer(target("status").queryParam("colour", "red").request().get()), 400, "unknown_parameter", "colour");
        assertError(get("status/g/h"), 404, "not_found", null);
        assertError(cron(ok), 404, "not_found", null);
        assertError(post("status/pipeline", ok, "text/plain"), 415, "unsupported_media_type", null);
        assertError(post("status/pipeline", ok.substring(0, ok.length() - 1) + " ".repeat(1_048_576) + "}"), 413,
                "payload_too_large", null);
        pipelineOk(ok);
        if (onPostgres()) {
            // A database that cannot be used: writes are refused, reads answer from the records in memory.
            breakDatabase();
            assertError(pipeline(ok), 503, "store_unavailable", null);
            assertEquals(200, get("status").status());
        } else {
            java.nio.file.Files.writeString(statusFile, "garbage");
            assertError(get("status"), 503, "store_unavailable", null);
            assertError(pipeline(ok), 503, "store_unavailable", null);
        }
    }

    @Test
    void hostileOrBrokenBodiesGetAJsonClientErrorNeverA500() {
        pipelineOk("{\"server_group\": \"g\", \"host\": \"h\", \"status\": \"synced\"}");
        String deep = "{\"server_group\": \"g\", \"host\": \"h\", \"status\": \"synced\", \"labels\": "
                + "[".repeat(5000) + "]".repeat(5000) + "}";
        String bigNumber = "{\"server_group\": \"g\", \"host\": \"h\", \"status\": \"synced\", \"commit_sha\": "
                + "9".repeat(5000) + "}";
        for (String body : List.of(deep, bigNumber, "{\"server_group\": \"g\", \"host\": \"h\", \"status\": 1e99999}",
                "{\"a\": \"\\uZZZZ\"}", "{\"a\": \"unterminated}")) {
            for (String path : InputRulesTest.WRITE_PATHS) {
                Answer a = assertChangesNothing(() -> post(path, body));
                assertTrue(a.status() == 400, path + " " + body.substring(0, Math.min(60, body.length())) + ": "
                        + a.status() + " " + a.body());
                assertNoInternals(a.body());
                String code = a.json().get("error").textValue();
                assertTrue(code.equals("invalid_json") || code.equals("validation_failed"), a.body());
            }
        }
        byte[] badUtf8 = {'{', '"', 's', 'e', 'r', 'v', 'e', 'r', '_', 'g', 'r', 'o', 'u', 'p', '"', ':', '"',
            (byte) 0xC3, (byte) 0x28, '"', '}'};
        Answer a = assertChangesNothing(() -> answer(target("status/pipeline").request()
                .post(Entity.entity(badUtf8, MediaType.APPLICATION_JSON))));
        assertError(a, 400, "invalid_json", null);
    }

    @Test
    void aBrowserAcceptHeaderStillGetsJson() {
        Answer a = answer(target("status").request()
                .header("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8").get());
        assertEquals(200, a.status(), a.body());
        assertTrue(a.contentType().startsWith("application/json"), a.contentType());
        a = answer(target("nope").request().header("Accept", "text/html,*/*;q=0.8").get());
        assertError(a, 404, "not_found", null);
    }
}
