package io.gitops.status.process;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.gitops.status.json.Json;
import io.gitops.status.store.FaultPoint.Step;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A server is killed with SIGKILL at each step of folding its journal into the data file, while
 * the journal extends a host's history that the data file already holds and deletes a host. After
 * the restart every acknowledged write is there exactly once: no transition twice, no deleted host
 * back.
 */
class CompactionCrashIT {

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(value = Step.class, names = {"COMPACT_WRITE", "COMPACT_RENAME", "COMPACT_CUT_JOURNAL",
        "COMPACT_PUBLISH"})
    void aKillAtAnyStepOfACompactionLosesNothingAndRepeatsNothing(Step step) throws Exception {
        Path file = dir.resolve("status.json");
        try (ServerProcess first = ServerProcess.start(file, dir.resolve("first.log"))) {
            expect(200, first.post("/status/pipeline", body("flap", "synced")));
        } // a clean stop folds the journal: the first transition is in the data file

        ServerProcess second = ServerProcess.start(file, dir.resolve("second.log"),
                List.of("-Xmx256m", "-XX:TieredStopAtLevel=1", "-Dtest.store.pause.at=" + step));
        expect(200, second.post("/status/pipeline", body("flap", "failed")));
        expect(200, second.post("/status/pipeline", body("gone", "synced")));
        expect(204, second.delete("/status/crash/gone"));
        expect(200, second.post("/status/pipeline", body("kept", "synced")));
        // once writes are quiet the store folds the journal, and stops at the step
        boolean paused = CompletableFuture.supplyAsync(() -> {
            try {
                return second.awaitOutput("PAUSED " + step);
            } catch (java.io.IOException e) {
                return false;
            }
        }).get(60, TimeUnit.SECONDS);
        assertEquals(true, paused, "the compaction reached " + step);
        second.kill();

        try (ServerProcess third = ServerProcess.start(file, dir.resolve("third.log"))) {
            JsonNode history = Json.mapper().readTree(expect(200, third.get("/status/crash/flap/history")).body());
            List<String> transitions = new ArrayList<>();
            history.forEach(t -> transitions.add(t.get("from").asText() + ">" + t.get("to").asText()));
            assertEquals(List.of("synced>failed", "null>synced"), transitions, "newest first, each once");
            expect(404, third.get("/status/crash/gone"));
            expect(200, third.get("/status/crash/kept"));
        }
    }

    private static String body(String host, String status) {
        return "{\"server_group\":\"crash\",\"host\":\"" + host + "\",\"status\":\"" + status + "\"}";
    }

    private static HttpResponse<String> expect(int status, HttpResponse<String> response) {
        assertEquals(status, response.statusCode(), response.body());
        return response;
    }
}
