package io.gitops.status.resource;

import io.gitops.status.api.Event;
import io.gitops.status.store.EventSlice;

/** One page of {@code GET /events} as JSON: the rows, or {@code {"rows": [...], "next_cursor": ...}}. */
final class EventPage {

    private EventPage() {
    }

    static Streamed.Body body(EventSlice page, boolean envelope) {
        return json -> {
            if (envelope) {
                json.writeStartObject();
                json.writeFieldName("rows");
            }
            json.writeStartArray();
            for (Event row : page.rows()) {
                ListViews.ROW.writeValue(json, row);
            }
            json.writeEndArray();
            if (envelope) {
                // Always present: Grafana Infinity's cursor pagination stops at an empty (null) value
                // and fails on a missing one.
                json.writeStringField("next_cursor", page.next() == null ? null : EventCursor.encode(page.next()));
                json.writeEndObject();
            }
        };
    }
}
