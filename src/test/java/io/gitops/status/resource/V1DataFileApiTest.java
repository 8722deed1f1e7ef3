package io.gitops.status.resource;

import io.gitops.status.SeedExamples;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.gitops.status.json.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Contract §7 "Migration from v1", seen through the API: a v1 data file present at start-up. */
@FileStoreOnly("a v1 data file converted in place, its original kept as a backup")
class V1DataFileApiTest extends ApiTestSupport {

    static final byte[] V1_FILE = ("[" + SeedExamples.V1_SYNCED + ","
            + SeedExamples.V1_DRIFT.replace("rsyslog-lab", "rsyslog-lab2") + "]").getBytes(StandardCharsets.UTF_8);

    @Override
    protected byte[] initialDataFile() {
        return V1_FILE;
    }

    @Test
    void v1DataIsServedConvertedAndTheOriginalIsKeptAsBackup() throws Exception {
        JsonNode rows = get("status").json();
        assertEquals(2, rows.size(), rows.toString());
        JsonNode lab = rows.get(0);
        assertRowShape(lab);
        assertEquals("rsyslog", text(lab, "server_group"));
        assertEquals("rsyslog-lab", text(lab, "host"));
        assertEquals("rsyslog", text(lab, "repo_name"));
        assertEquals("synced", text(lab, "status"));
        assertEquals("2026-04-21T10:30:00Z", text(lab, "last_cron_check"));
        JsonNode lab2 = rows.get(1);
        assertEquals("rsyslog-lab2", text(lab2, "host"));
        assertEquals("out_of_sync", text(lab2, "status"));
        assertEquals(List.of("rsyslog.conf", "rsyslog.d/30-lab.conf"), texts(lab2.get("changed_files")));
        assertEquals(2, lab2.get("changed_files_count").intValue());

        JsonNode v1 = get("api/status").json();
        assertEquals(Json.mapper().readTree("""
                [{"repo": "rsyslog", "server": "rsyslog-lab", "sync_status": "SYNCED", "drift_count": 0,
                  "files": [], "last_check": "2026-04-21T10:30:00Z"},
                 {"repo": "rsyslog", "server": "rsyslog-lab2", "sync_status": "OUT_OF_SYNC", "drift_count": 2,
                  "files": [{"name": "rsyslog.conf"}, {"name": "rsyslog.d/30-lab.conf"}],
                  "last_check": "2026-04-21T10:32:15Z"}]"""), v1);

        assertArrayEquals(V1_FILE, Files.readAllBytes(storeDir.resolve("status.json.v1.bak")));
        JsonNode file = Json.mapper().readTree(awaitDataFile(s -> s.contains("\"2.0\"")));
        assertEquals("2.0", file.get("version").textValue());
        assertEquals(List.of("rsyslog/rsyslog-lab", "rsyslog/rsyslog-lab2"), names(file.get("servers")));

        JsonNode written = post("api/status", SeedExamples.V1_DRIFT).json();
        assertEquals("updated", written.get("result").textValue());
        assertTrue(get("ready").status() == 200);
        assertEquals(2, get("ready").json().get("store").get("servers").intValue());
    }
}
