package io.gitops.status.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.gitops.status.json.Json;
import io.gitops.status.store.FileStatusStore;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two server JVMs on one data file, many writers against both: every acknowledged write is on
 * disk, and a read in either process sees every write either acknowledged before it began.
 */
class TwoProcessesOneFileIT {

    private static final int THREADS = 16;
    private static final int WRITES_PER_THREAD = 60;

    @TempDir
    Path dir;

    @Test
    void everyAcknowledgedWriteIsStoredAndVisibleFromBothProcesses() throws Exception {
        Path file = dir.resolve("status.json");
        Map<String, String> acknowledged = new ConcurrentHashMap<>();
        try (ServerProcess a = ServerProcess.start(file, dir.resolve("a.log"));
                ServerProcess b = ServerProcess.start(file, dir.resolve("b.log"))) {
            ExecutorService pool = Executors.newFixedThreadPool(THREADS);
            List<Future<?>> threads = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                threads.add(pool.submit(() -> {
                    for (int i = 0; i < WRITES_PER_THREAD; i++) {
                        // Alternate the writer between the processes, read back from the other one.
                        ServerProcess writer = (thread + i) % 2 == 0 ? a : b;
                        ServerProcess reader = writer == a ? b : a;
                        String host = "t" + thread + "-" + i;
                        String sha = "sha-" + thread + "-" + i;
                        HttpResponse<String> written = writer.post("/status/pipeline", "{\"server_group\":\"g\","
                                + "\"host\":\"" + host + "\",\"status\":\"synced\",\"commit_sha\":\"" + sha + "\"}");
                        assertEquals(200, written.statusCode(), written.body());
                        acknowledged.put(host, sha);
                        HttpResponse<String> read = reader.get("/status/g/" + host);
                        assertEquals(200, read.statusCode(), "the other process sees the write: " + read.body());
                        assertEquals(sha, Json.mapper().readTree(read.body()).get("commit_sha").textValue());
                    }
                    return null;
                }));
            }
            for (Future<?> thread : threads) {
                thread.get();
            }
            pool.shutdown();

            assertEquals(THREADS * WRITES_PER_THREAD, acknowledged.size());
            String fromA = a.get("/status").body();
            String fromB = b.get("/status").body();
            assertEquals(fromA, fromB, "both processes answer the same list");
            assertEquals(acknowledged, shas(Json.mapper().readTree(fromA)));
        }
        // Both stopped cleanly: the data file alone holds every write.
        assertEquals(0, Files.size(dir.resolve("status.json.journal")), "journal folded at shutdown");
        try (FileStatusStore store = new FileStatusStore(file)) {
            Map<String, String> stored = new HashMap<>();
            store.all().forEach(r -> stored.put(r.host(), r.commitSha()));
            assertEquals(acknowledged, stored);
        }
        assertTrue(Files.exists(file));
    }

    private static Map<String, String> shas(JsonNode rows) {
        Map<String, String> shas = new HashMap<>();
        rows.forEach(row -> shas.put(row.get("host").textValue(), row.get("commit_sha").textValue()));
        return shas;
    }
}
