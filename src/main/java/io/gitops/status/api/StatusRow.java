package io.gitops.status.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonInclude.Include;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonUnwrapped;

/**
 * A record as the API lists it: the contract's fields, then {@code last_seen}, {@code stale} and
 * {@code written_by_token}, on every row. Whether a record is stale depends on the clock, so rows
 * are made by {@link Staleness} at the time of the read.
 */
@JsonInclude(Include.ALWAYS)
@JsonPropertyOrder({"record", "last_seen", "stale", "written_by_token"})
public record StatusRow(@JsonUnwrapped StatusRecord record, @JsonProperty("stale") boolean stale) {

    @JsonProperty("last_seen")
    public String lastSeen() {
        return record.lastSeen();
    }

    @JsonProperty("written_by_token")
    public String writtenByToken() {
        return record.writtenByToken();
    }
}
