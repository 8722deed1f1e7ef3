package io.gitops.status.resource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/** Contract §7 "Location": missing parent folders are created; a missing file is an empty store. */
@FileStoreOnly("the data file's missing folders, created at start")
class StoreLocationApiTest extends ApiTestSupport {

    @Override
    protected String dataFileName() {
        return "not/yet/there/status.json";
    }

    @Test
    void missingFoldersAreCreatedAndAMissingFileIsAnEmptyStore() {
        assertEquals("[]", get("status").body().replaceAll("\\s", ""));
        Answer ready = get("ready");
        assertEquals(200, ready.status(), ready.body());
        assertEquals(statusFile.toAbsolutePath().normalize().toString(),
                ready.json().get("store").get("path").textValue());
        assertEquals(0, ready.json().get("store").get("servers").intValue());
        assertTrue(Files.isDirectory(statusFile.getParent()));
        pipelineOk("{\"server_group\": \"g\", \"host\": \"h\", \"status\": \"synced\"}");
        awaitDataFile(s -> s.contains("\"g/h\""));
        assertEquals(1, get("ready").json().get("store").get("servers").intValue());
    }
}
