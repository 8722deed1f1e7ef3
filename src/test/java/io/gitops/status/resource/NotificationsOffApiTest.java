package io.gitops.status.resource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gitops.status.json.Json;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** Without {@code notifyFile} (the default): no notifier, {@code GET /notifications} says so, {@code /metrics} has no notification family. */
class NotificationsOffApiTest extends ApiTestSupport {

    @Test
    void getNotificationsSaysTheyAreOff() throws IOException {
        assertTrue(application.notifier().isEmpty());
        Answer a = get("notifications");
        assertEquals(200, a.status(), a.body());
        assertTrue(a.contentType().startsWith("application/json"), a.contentType());
        assertEquals(Json.mapper().readTree("""
                {"enabled": false, "rules_file": null, "this_process_sends": false, "rules": [], "receivers": [],
                 "open_count": 0, "open": [], "waiting_count": 0, "waiting": [], "recent": [], "dead_letters": []}
                """), a.json());
    }

    @Test
    void theMetricsHaveNoNotificationFamily() {
        pipelineOk("{\"server_group\":\"web\",\"host\":\"w1\",\"status\":\"failed\"}");
        Answer a = get("metrics");
        assertEquals(200, a.status(), a.body());
        assertTrue(a.body().contains("gitops_status{"), "the other families are there: " + a.body());
        assertFalse(a.body().contains("gitops_notifications"), a.body());
    }
}
