package io.gitops.status.resource;

import com.fasterxml.jackson.databind.JsonNode;
import io.gitops.status.api.EventKey;
import io.gitops.status.api.Refusal;
import io.gitops.status.json.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The cursor of {@code GET /events} on the wire: an {@link EventKey}, opaque to clients as base64url
 * of a small JSON array, so they pass it back as given.
 */
final class EventCursor {

    static final String PARAMETER = "cursor";

    private EventCursor() {
    }

    static String encode(EventKey key) {
        try {
            byte[] json = Json.mapper().writeValueAsBytes(new Object[] {key.at(), key.serverGroup(), key.host(),
                key.tie()});
            return Base64.getUrlEncoder().withoutPadding().encodeToString(json);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The cursor a client sent back; anything this service did not make is a 400 naming it. */
    static EventKey decode(String text) {
        try {
            JsonNode key = Json.mapper().readTree(new String(Base64.getUrlDecoder().decode(text.strip()),
                    StandardCharsets.UTF_8));
            if (key != null && key.isArray() && key.size() == 4 && key.get(0).isIntegralNumber()
                    && key.get(1).isTextual() && key.get(2).isTextual() && key.get(3).canConvertToInt()
                    && key.get(3).isIntegralNumber() && key.get(3).intValue() >= 0) {
                return new EventKey(key.get(0).longValue(), key.get(1).textValue(), key.get(2).textValue(),
                        key.get(3).intValue());
            }
        } catch (IOException | IllegalArgumentException e) {
            // refused below
        }
        throw Refusal.validation(PARAMETER, "cursor is not one this service made; take it from the last page's "
                + "Link header or next_cursor, or start without it");
    }
}
