package io.gitops.status.resource;

import com.fasterxml.jackson.databind.JsonNode;
import io.gitops.status.api.Refusal;
import io.gitops.status.json.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Where a page of {@code GET /events} ended: the last row's key in the events' order, (time in
 * epoch milliseconds, server group, host, tie), where {@code tie} counts the host's earlier
 * transitions at the same millisecond (writes are stamped to the second, so a host that changes
 * twice within one second has two). The next page starts strictly after it, so rows sharing a
 * timestamp are neither skipped nor repeated, and the key stays right when transitions are added
 * or the oldest trimmed meanwhile (positions in the history would shift; ties do not).
 *
 * <p>On the wire it is opaque: base64url of a small JSON array, so clients pass it back as given.
 */
record EventCursor(long at, String serverGroup, String host, int tie) {

    static final String PARAMETER = "cursor";

    String encode() {
        try {
            byte[] json = Json.mapper().writeValueAsBytes(new Object[] {at, serverGroup, host, tie});
            return Base64.getUrlEncoder().withoutPadding().encodeToString(json);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The cursor a client sent back; anything this service did not make is a 400 naming it. */
    static EventCursor decode(String text) {
        try {
            JsonNode key = Json.mapper().readTree(new String(Base64.getUrlDecoder().decode(text.strip()),
                    StandardCharsets.UTF_8));
            if (key != null && key.isArray() && key.size() == 4 && key.get(0).isIntegralNumber()
                    && key.get(1).isTextual() && key.get(2).isTextual() && key.get(3).canConvertToInt()
                    && key.get(3).isIntegralNumber() && key.get(3).intValue() >= 0) {
                return new EventCursor(key.get(0).longValue(), key.get(1).textValue(), key.get(2).textValue(),
                        key.get(3).intValue());
            }
        } catch (IOException | IllegalArgumentException e) {
            // refused below
        }
        throw Refusal.validation(PARAMETER, "cursor is not one this service made; take it from the last page's "
                + "Link header or next_cursor, or start without it");
    }

    /** How the host {@code (serverGroup, host)} sorts against this cursor's host. */
    int compareHost(String otherGroup, String otherHost) {
        int byGroup = otherGroup.compareTo(serverGroup);
        return byGroup != 0 ? byGroup : otherHost.compareTo(host);
    }
}
