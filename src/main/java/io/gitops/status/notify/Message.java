package io.gitops.status.notify;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/**
 * One notification: a webhook's body as it is (see {@code docs/notifications.schema.json}). It is
 * made once and kept in the outbox until delivered, so every retry sends the same bytes under the
 * same {@code id}, by which a receiver can drop a duplicate.
 *
 * @param state {@code firing} or {@code resolved}
 * @param reminder a firing message sent again while the notification stays open ({@code repeat})
 * @param createdAt when the notifier made it (ISO 8601, UTC)
 * @param hosts one host, or every host of one group in a digest
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
@JsonPropertyOrder({"id", "rule", "state", "reminder", "created_at", "hosts"})
record Message(
        @JsonProperty("id") String id,
        @JsonProperty("rule") String rule,
        @JsonProperty("state") String state,
        @JsonProperty("reminder") boolean reminder,
        @JsonProperty("created_at") String createdAt,
        @JsonProperty("hosts") List<HostEntry> hosts) {

    static final String FIRING = "firing";
    static final String RESOLVED = "resolved";

    Message {
        hosts = List.copyOf(hosts);
    }

    boolean firing() {
        return FIRING.equals(state);
    }
}
