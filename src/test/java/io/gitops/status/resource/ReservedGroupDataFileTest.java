package io.gitops.status.resource;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.gitops.status.api.StatusRecord;
import io.gitops.status.store.FileStatusStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A data file written before the path words were refused as group names (issue 9, item 8): it
 * loads, its groups stay readable and deletable through the filters, and new writes to them are
 * refused until they are renamed.
 */
@FileStoreOnly("a data file from before the path words were refused as group names")
class ReservedGroupDataFileTest extends ApiTestSupport {

    private static String record(String group, String host, String files) {
        return q(group + "/" + host) + ":{\"server_group\":" + q(group) + ",\"host\":" + q(host)
                + ",\"status\":\"out_of_sync\",\"changed_files\":" + files + ",\"labels\":{},"
                + "\"last_pipeline_run\":\"2026-04-26T10:30:00Z\",\"timestamp\":\"2026-04-26T10:30:00Z\"}";
    }

    @Override
    protected byte[] initialDataFile() {
        return ("{\"version\":\"2.0\",\"servers\":{" + record("files", "f1", "[\"/etc/a\"]") + ","
                + record("summary", "s1", "[]") + "," + record("web", "w1", "[\"/etc/b\"]") + "}}")
                .getBytes(StandardCharsets.UTF_8);
    }

    private Answer inGroup(String group) {
        return answer(target("status").queryParam("server_group", group).request().get());
    }

    @Test
    void theFileLoadsAndTheGroupsAreReadThroughTheFilter() {
        assertEquals(List.of("files/f1", "summary/s1", "web/w1"), keys(get("status").json()));
        assertEquals(List.of("files/f1"), keys(inGroup("files").json()));
        assertEquals(List.of("summary/s1"), keys(inGroup("summary").json()));
        // The literal paths keep their meaning: the changed files of every host, the summary.
        JsonNode fileRows = get("status/files").json();
        assertEquals(2, fileRows.size());
        assertEquals("files", fileRows.get(0).get("server_group").textValue());
        assertEquals("*", get("status/summary").json().get(3).get("server_group").textValue());
    }

    @Test
    void writesToSuchAGroupAreRefusedAndItIsDeletedThroughTheFilter() {
        assertError(assertChangesNothing(() -> cron("{\"server_group\":\"files\",\"host\":\"f1\",\"status\":\"synced\"}")),
                400, "validation_failed", "server_group");
        JsonNode deleted = post("status/delete", "{\"server_group\":\"files\"}").json();
        assertEquals(List.of("files/f1"), texts(deleted.get("deleted")));
        assertEquals(List.of("summary/s1", "web/w1"), keys(get("status").json()));
    }

    @Test
    void aV1DataFileWhoseRepoIsAPathWordIsMigrated(@TempDir Path dir) throws Exception {
        Path v1 = dir.resolve("status.json");
        Files.writeString(v1, "[{\"repo\":\"files\",\"server\":\"a\",\"sync_status\":\"OUT_OF_SYNC\","
                + "\"files\":[{\"name\":\"x.conf\"}]}]");
        try (FileStatusStore store = new FileStatusStore(v1)) {
            assertEquals(List.of("files/a"), store.all().stream().map(StatusRecord::key).toList());
        }
    }
}
