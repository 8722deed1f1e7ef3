package io.gitops.status.resource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A server group named like a literal path word under {@code /status/} could never be read at
 * {@code /status/{server_group}} (issue 9, item 8): every write naming one is refused with 400
 * {@code validation_failed} on the field that carries the group, and nothing changes.
 */
class ReservedGroupNamesTest extends ApiTestSupport {

    /** The words as the README documents them; the application reads them from its resource model. */
    static final Set<String> DOCUMENTED = Set.of("pipeline", "cron", "files", "summary", "delete");

    @Test
    void theWordsReadFromTheResourceModelAreTheLiteralPathsUnderStatus() {
        assertEquals(DOCUMENTED, PathWords.under("status", List.of(StatusResource.class,
                LegacyStatusResource.class, EventsResource.class, MetricsResource.class, ServiceResource.class)));
        // Only paths under the root given: /status.json and /api/status name no group.
        assertEquals(Set.of("status"), PathWords.under("api", List.of(LegacyStatusResource.class)));
    }

    @Test
    void everyWriteNamingAPathWordAsItsGroupIs400AndChangesNothing() {
        pipelineOk("{\"server_group\":\"g\",\"host\":\"h\",\"status\":\"synced\"}");
        for (String word : DOCUMENTED) {
            JsonNode error = assertError(assertChangesNothing(() -> pipeline(
                    "{\"server_group\":" + q(word) + ",\"host\":\"h\",\"status\":\"synced\"}")),
                    400, "validation_failed", "server_group");
            String message = error.get("message").textValue();
            assertTrue(message.contains("/status/" + word) && message.contains("could not be read"), message);
            assertError(assertChangesNothing(() -> cron("{\"server_group\":" + q(word) + ",\"host\":\"h\"}")),
                    400, "validation_failed", "server_group");
            // v1: the group is the repo.
            assertError(assertChangesNothing(() -> post("api/status",
                    "{\"repo\":" + q(word) + ",\"server\":\"h\",\"sync_status\":\"SYNCED\"}")),
                    400, "validation_failed", "repo");
        }
    }

    @Test
    void namesThatOnlyResembleAPathWordAreAccepted() {
        for (String group : List.of("Files", "files-prod", "summary.d", "cron2", "history", "status", "events")) {
            pipelineOk("{\"server_group\":" + q(group) + ",\"host\":\"h\",\"status\":\"synced\"}");
            assertEquals(1, get("status/" + group).json().size(), group + " is readable at /status/" + group);
        }
    }
}
