package io.gitops.status.resource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.ws.rs.client.Entity;
import jakarta.ws.rs.client.Invocation;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Without a token file (the default) nothing needs a token, an Authorization header is ignored,
 * and rows carry {@code written_by_token: null} (issue 5, item 1).
 */
class TokensOffApiTest extends ApiTestSupport {

    private Answer call(String authorization, String method, String path, String json) {
        Invocation.Builder request = target(path).request();
        if (authorization != null) {
            request = request.header("Authorization", authorization);
        }
        return answer(json == null ? request.method(method)
                : request.method(method, Entity.entity(json, MediaType.APPLICATION_JSON)));
    }

    private static void assertNoWriter(JsonNode row) {
        assertRowShape(row);
        assertNull(text(row, "written_by_token"), "written_by_token of " + row);
    }

    @Test
    void everyWriteAndReadWorksWithoutATokenAndNoWriterIsRecorded() {
        for (String authorization : new String[] {null, "Bearer anything-at-all", "Basic eDp5"}) {
            Answer a = call(authorization, "POST", "status/pipeline",
                    "{\"server_group\":\"prod-web\",\"host\":\"h1\",\"status\":\"synced\"}");
            assertEquals(200, a.status(), a.body());
            assertNoWriter(a.json().get("record"));
            a = call(authorization, "POST", "status/cron",
                    "{\"server_group\":\"prod-web\",\"host\":\"h1\",\"status\":\"failed\"}");
            assertEquals(200, a.status(), a.body());
            assertNoWriter(a.json().get("record"));
            a = call(authorization, "POST", "api/status", "{\"repo\":\"rsyslog\",\"server\":\"r1\",\"sync_status\":\"SYNCED\"}");
            assertEquals(200, a.status(), a.body());
            assertNoWriter(a.json().get("record"));
            for (String path : List.of("", "status", "status/files", "status/summary", "status/prod-web",
                    "status/prod-web/h1", "status/prod-web/h1/history", "events", "metrics", "api/status",
                    "status.json", "health", "ready")) {
                assertEquals(200, call(authorization, "GET", path, null).status(), path);
            }
            get("status").json().forEach(TokensOffApiTest::assertNoWriter);
            assertEquals(204, call(authorization, "DELETE", "status/prod-web/h1", null).status());
            assertEquals(204, call(authorization, "DELETE", "status/rsyslog", null).status());
            pipelineOk("{\"server_group\":\"lab\",\"host\":\"l1\",\"status\":\"failed\"}");
            Answer bulk = call(authorization, "POST", "status/delete", "{\"server_group\":\"lab\"}");
            assertEquals(200, bulk.status(), bulk.body());
            assertEquals(List.of("lab/l1"), texts(bulk.json().get("deleted")));
            assertEquals("[]", get("status").body().replaceAll("\\s", ""));
        }
    }

    @Test
    void theDataFileNamesNoWriter() throws Exception {
        pipelineOk("{\"server_group\":\"prod-web\",\"host\":\"h1\",\"status\":\"synced\"}");
        byte[] file = awaitStored(text -> text.contains("prod-web/h1"));
        String text = new String(file, java.nio.charset.StandardCharsets.UTF_8);
        JsonNode record = io.gitops.status.json.Json.mapper().readTree(text).get("servers").get("prod-web/h1");
        JsonNode writer = record.get("written_by_token");
        assertEquals(true, writer == null || writer.isNull(), "written_by_token in the data file: " + writer);
    }
}
