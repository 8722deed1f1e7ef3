package io.gitops.status.resource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gitops.status.api.StatusRecord;
import io.gitops.status.json.Json;
import io.gitops.status.store.FileStatusStore;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /admin/export} with tokens off: open like every read, and its answer is a data file
 * that a file store opens, holding exactly what the API shows, history included.
 */
class AdminExportTest extends ApiTestSupport {

    /** The export's bytes, checked to be a 200 with the download's headers. */
    private byte[] export() {
        try (Response response = target("admin/export").request().get()) {
            assertEquals(200, response.getStatus());
            assertTrue(response.getHeaderString("Content-Type").startsWith("application/json"),
                    response.getHeaderString("Content-Type"));
            assertEquals("attachment; filename=\"gitops-status-export.json\"",
                    response.getHeaderString("Content-Disposition"));
            assertEquals("no-store", response.getHeaderString("Cache-Control"));
            assertNull(response.getHeaderString("ETag"), "the export is not a cacheable read");
            return response.readEntity(byte[].class);
        }
    }

    /** A fresh data file holding {@code bytes}, in a folder of its own. */
    private static Path dataFile(byte[] bytes) throws IOException {
        return Files.write(Files.createTempDirectory(root, "export").resolve("status.json"), bytes);
    }

    @Test
    void theExportIsADataFileHoldingWhatTheApiShowsHistoryIncluded() throws IOException {
        pipelineOk("{\"server_group\": \"prod-web\", \"host\": \"web-01\", \"status\": \"synced\", \"environment\": \"prod\","
                + " \"commit_sha\": \"abc123\", \"labels\": {\"team\": \"web\"}, \"changed_files\": []}");
        cronOk("{\"server_group\": \"prod-web\", \"host\": \"web-01\", \"status\": \"out_of_sync\","
                + " \"changed_files\": [\"/etc/a.conf\", \"/etc/b.conf\"]}");
        pipelineOk("{\"server_group\": \"prod-web\", \"host\": \"web-01\", \"status\": \"failed\","
                + " \"validation_status\": \"failed\", \"validation_message\": \"syntax error\"}");
        pipelineOk("{\"server_group\": \"prod-web\", \"host\": \"web-02\", \"status\": \"synced\"}");
        assertEquals(200, post("api/status", "{\"repo\": \"rsyslog\", \"server\": \"lab-01\", \"sync_status\": \"SYNCED\","
                + " \"files\": []}").status());
        pipelineOk("{\"server_group\": \"lab\", \"host\": \"old-01\", \"status\": \"unknown\"}");
        assertEquals(204, answer(target("status/lab/old-01").request().delete()).status());

        Path exported = dataFile(export());
        JsonNode file = Json.mapper().readTree(exported.toFile());
        assertEquals("2.0", file.get("version").textValue());
        JsonNode servers = file.get("servers");

        // The API's view of the store: the rows, and each server's history (newest first there).
        Map<String, ObjectNode> shown = new TreeMap<>();
        for (JsonNode row : get("status").json()) {
            ObjectNode stored = row.deepCopy();
            stored.remove(List.of("changed_files_count", "last_seen", "stale"));
            String key = row.get("server_group").textValue() + "/" + row.get("host").textValue();
            stored.set("history", reversed(get("status/" + key + "/history").json()));
            shown.put(key, stored);
        }
        assertEquals(List.of("prod-web/web-01", "prod-web/web-02", "rsyslog/lab-01"), List.copyOf(shown.keySet()));
        assertEquals(3, shown.get("prod-web/web-01").get("history").size(), "one transition per status change");
        assertFalse(servers.has("lab/old-01"), "a deleted server is not exported");
        assertEquals(new ArrayList<>(shown.keySet()), names(servers), "every server, in key order");
        shown.forEach((key, expected) -> assertEquals(expected, servers.get(key), key));

        // A file store opens it as its data file and holds the same records, history included.
        try (FileStatusStore store = new FileStatusStore(exported)) {
            assertTrue(store.readiness().ready(), store.readiness().reason());
            List<StatusRecord> records = store.all();
            assertEquals(List.copyOf(shown.keySet()), records.stream().map(StatusRecord::key).toList());
            for (StatusRecord record : records) {
                assertEquals(shown.get(record.key()), stored(record), record.key());
            }
        }
    }

    @Test
    void anEmptyStoreExportsAnEmptyDataFile() throws IOException {
        JsonNode file = Json.mapper().readTree(export());
        assertEquals(List.of("version", "servers"), names(file));
        assertEquals(0, file.get("servers").size());
        try (FileStatusStore store = new FileStatusStore(dataFile(export()))) {
            assertEquals(List.of(), store.all());
        }
    }

    @Test
    void theExportTakesNoOtherMethod() {
        Answer a = post("admin/export", "{}");
        assertError(a, 405, "method_not_allowed", null);
    }

    /** A record as the data file holds it. */
    private static JsonNode stored(StatusRecord record) {
        try {
            return Json.mapper().readTree(Json.mapper().writerWithView(StatusRecord.Views.Storage.class)
                    .writeValueAsBytes(record));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static ArrayNode reversed(JsonNode array) {
        ArrayNode reversed = Json.mapper().createArrayNode();
        for (int i = array.size() - 1; i >= 0; i--) {
            reversed.add(array.get(i));
        }
        return reversed;
    }
}
