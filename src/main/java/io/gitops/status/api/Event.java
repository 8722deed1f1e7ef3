package io.gitops.status.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonInclude.Include;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * A status transition of one host as {@code GET /events} lists it: a row for Grafana annotations,
 * with {@code text} ready to show ("web-01: synced → out_of_sync (cron)").
 */
@JsonInclude(Include.ALWAYS)
@JsonPropertyOrder({"at", "server_group", "host", "from", "to", "source", "commit_sha", "changed_files_count",
    "text"})
public record Event(
        @JsonProperty("at") String at,
        @JsonProperty("server_group") String serverGroup,
        @JsonProperty("host") String host,
        @JsonProperty("from") String from,
        @JsonProperty("to") String to,
        @JsonProperty("source") String source,
        @JsonProperty("commit_sha") String commitSha,
        @JsonProperty("changed_files_count") int changedFilesCount,
        @JsonProperty("text") String text) {

    public static Event of(String serverGroup, String host, Transition t) {
        String text = StatusRecord.key(serverGroup, host) + ": " + (t.from() == null ? "new" : t.from()) + " → "
                + t.to() + " (" + t.source() + ")";
        return new Event(t.at(), serverGroup, host, t.from(), t.to(), t.source(), t.commitSha(),
                t.changedFilesCount(), text);
    }
}
