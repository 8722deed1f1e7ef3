package io.gitops.status.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.gitops.status.json.Json;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server under heavy write load is killed with SIGKILL, several times. After each restart the
 * store loads and holds every update acknowledged before the kill.
 */
class CrashIT {

    private static final int ROUNDS = 3;
    private static final int WRITERS = 16;

    @TempDir
    Path dir;

    @Test
    void everyUpdateAcknowledgedBeforeAKillSurvivesIt() throws Exception {
        Path file = dir.resolve("status.json");
        // Per writer: the last sequence number acknowledged for its own host (updated in place).
        Map<String, Integer> lastAcknowledged = new ConcurrentHashMap<>();
        // Hosts created and acknowledged (one new host per write).
        Map<String, Boolean> created = new ConcurrentHashMap<>();
        AtomicInteger sequence = new AtomicInteger();

        for (int round = 1; round <= ROUNDS; round++) {
            ServerProcess server = ServerProcess.start(file, dir.resolve("server-" + round + ".log"));
            assertHolds(server, lastAcknowledged, created);
            ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
            List<Future<Integer>> writers = new ArrayList<>();
            for (int w = 0; w < WRITERS; w++) {
                String own = "writer-" + w;
                writers.add(pool.submit(() -> {
                    int acknowledgedWrites = 0;
                    while (true) {
                        int seq = sequence.incrementAndGet();
                        String fresh = "new-" + seq;
                        try {
                            if (ok(server.post("/status/pipeline", body(own, seq)))) {
                                lastAcknowledged.merge(own, seq, Math::max);
                                acknowledgedWrites++;
                            }
                            if (ok(server.post("/status/pipeline", body(fresh, seq)))) {
                                created.put(fresh, true);
                                acknowledgedWrites++;
                            }
                        } catch (java.io.IOException e) {
                            return acknowledgedWrites; // the server is gone
                        }
                    }
                }));
            }
            Thread.sleep(1500);
            server.kill();
            int acknowledgedInRound = 0;
            for (Future<Integer> writer : writers) {
                acknowledgedInRound += writer.get(60, TimeUnit.SECONDS);
            }
            pool.shutdownNow();
            assertTrue(acknowledgedInRound > 0, "round " + round + " wrote under load before the kill");
        }
        try (ServerProcess server = ServerProcess.start(file, dir.resolve("server-final.log"))) {
            assertHolds(server, lastAcknowledged, created);
        }
    }

    private static String body(String host, int seq) {
        return "{\"server_group\":\"crash\",\"host\":\"" + host + "\",\"status\":\"synced\",\"commit_sha\":\""
                + seq + "\"}";
    }

    private static boolean ok(HttpResponse<String> response) {
        assertTrue(response.statusCode() == 200, "unexpected answer " + response.statusCode() + " " + response.body());
        return true;
    }

    private static void assertHolds(ServerProcess server, Map<String, Integer> lastAcknowledged,
            Map<String, Boolean> created) throws Exception {
        HttpResponse<String> ready = server.get("/ready");
        assertEquals(200, ready.statusCode(), ready.body());
        JsonNode rows = Json.mapper().readTree(server.get("/status/crash").body());
        Map<String, Integer> stored = new java.util.HashMap<>();
        rows.forEach(row -> stored.put(row.get("host").textValue(),
                Integer.parseInt(row.get("commit_sha").textValue())));
        for (Map.Entry<String, Integer> writer : lastAcknowledged.entrySet()) {
            Integer seq = stored.get(writer.getKey());
            assertNotNull(seq, writer.getKey() + " lost");
            // The stored update is the last acknowledged one, or a later one that was not acknowledged yet.
            assertTrue(seq >= writer.getValue(), writer.getKey() + " holds " + seq + ", acknowledged "
                    + writer.getValue());
        }
        for (String host : created.keySet()) {
            assertTrue(stored.containsKey(host), "acknowledged record " + host + " lost");
        }
    }
}
