package io.gitops.status.resource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gitops.status.api.StatusRecord;
import io.gitops.status.store.StatusStore;
import java.util.List;
import org.junit.jupiter.api.Test;

/** DELETE /status/{group}/{host} and DELETE /status/{group} (issue 5, item 6; tokens not yet). */
class DeletionTest extends ApiTestSupport {

    private Answer delete(String path) {
        return answer(target(path).request().delete());
    }

    private void put(String group, String host) {
        pipelineOk("{\"server_group\":\"" + group + "\",\"host\":\"" + host + "\",\"status\":\"synced\"}");
    }

    @Test
    void deletingAHostRemovesItDurablyAndA404WhenAbsent() {
        put("web", "w1");
        put("web", "w2");
        Answer deleted = delete("status/web/w1");
        assertEquals(204, deleted.status(), deleted.body());
        assertEquals("", deleted.body());
        assertError(get("status/web/w1"), 404, "not_found", null);
        assertEquals(1, get("status").json().size());
        assertError(delete("status/web/w1"), 404, "not_found", null);
        assertError(delete("status/nope/x"), 404, "not_found", null);

        // Stored: another store on the same data (as after a restart) no longer has it.
        try (StatusStore reopened = reopenStore()) {
            assertEquals(List.of("web/w2"), reopened.all().stream().map(StatusRecord::key).toList());
        }
        // A deleted host can report again and is created anew.
        assertEquals("created", pipeline("{\"server_group\":\"web\",\"host\":\"w1\",\"status\":\"failed\"}")
                .json().get("result").textValue());
    }

    @Test
    void deletingAGroupRemovesEveryHostOfItOnly() {
        put("web", "w1");
        put("web", "w2");
        put("web-2", "w1");
        put("db", "d1");
        assertEquals(204, delete("status/web").status());
        assertEquals(List.of("db", "web-2"), get("status").json().findValuesAsText("server_group"));
        assertError(delete("status/web"), 404, "not_found", null);
        assertEquals(0, get("status/web").json().size());
    }

    @Test
    void bulkDeletionByFilters() {
        pipelineOk("{\"server_group\":\"lab\",\"host\":\"a\",\"status\":\"failed\"}");
        pipelineOk("{\"server_group\":\"lab\",\"host\":\"b\",\"status\":\"unknown\"}");
        pipelineOk("{\"server_group\":\"lab\",\"host\":\"c\",\"status\":\"synced\"}");
        pipelineOk("{\"server_group\":\"prod\",\"host\":\"a\",\"status\":\"failed\"}");

        Answer deleted = post("status/delete", "{\"server_group\": \"lab\", \"status\": [\"FAILED\", \"unknown\"]}");
        assertEquals(200, deleted.status(), deleted.body());
        assertEquals(List.of("lab/a", "lab/b"), texts(deleted.json().get("deleted")));
        assertEquals(List.of("lab/c", "prod/a"), keys());

        assertEquals(List.of(), texts(post("status/delete", "{\"host\": \"none\"}").json().get("deleted")));
        assertError(assertChangesNothing(() -> post("status/delete", "{}")), 400, "validation_failed", null);
        // Names starting with _ are ignored by the filters: alone they would select every record.
        assertError(assertChangesNothing(() -> post("status/delete", "{\"_note\": \"clean-up of lab\"}")), 400,
                "validation_failed", null);
        assertError(assertChangesNothing(() -> post("status/delete", "{\"colour\": \"red\"}")), 400,
                "unknown_parameter", "colour");
        assertError(assertChangesNothing(() -> post("status/delete", "{\"host\": 5}")), 400,
                "validation_failed", "host");
        assertEquals(List.of("lab/c", "prod/a"), keys());
    }

    private List<String> keys() {
        List<String> keys = new java.util.ArrayList<>();
        get("status").json().forEach(row -> keys.add(row.get("server_group").textValue() + "/"
                + row.get("host").textValue()));
        return keys;
    }

    @Test
    void aGroupNamedLikeAWriteEndpointCanBeReadAndDeleted() {
        // Such a name is refused as input now; a data file written before may still hold one.
        String now = java.time.Instant.now().toString();
        storeDirectly(new StatusRecord("pipeline", "p1", null, null,
                null, null, "synced", List.of(), null, null, null, null, null, null, now, null, now));
        assertEquals(List.of("pipeline"), get("status").json().findValuesAsText("server_group"));
        // POST /status/pipeline is the write; GET and DELETE fall through to the group.
        assertEquals(List.of("p1"), get("status/pipeline").json().findValuesAsText("host"));
        assertEquals(204, delete("status/pipeline").status());
        assertEquals(0, get("status").json().size());
    }

    /** On PostgreSQL: gone from the database, as its export shows. */
    @Test
    void aDeletedHostIsGoneFromTheDataFileOnceTheJournalIsFolded() {
        put("web", "w1");
        put("web", "w2");
        assertEquals(204, delete("status/web/w1").status());
        byte[] folded = awaitStored(text -> text.contains("web/w2") && !text.contains("web/w1"));
        assertTrue(folded.length > 0);
        assertFalse(new String(folded, java.nio.charset.StandardCharsets.UTF_8).contains("\"w1\""));
    }
}
