package io.gitops.status.notify;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;
import java.util.Map;

/**
 * One host in a message, as the webhook body carries it (see {@code docs/notifications.schema.json}).
 * Every field is always written, {@code null} when unknown. At most {@value #MAX_FILES} changed
 * files are listed; {@code changed_files_count} counts them all.
 *
 * @param since when the host entered the statuses the rule opens on (or turned stale)
 * @param deleted the host was deleted: what resolved it
 * @param url the host on the status page, when the rules file gives {@code public_url}
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
@JsonPropertyOrder({"server_group", "host", "status", "previous_status", "since", "stale", "deleted", "changed_files",
    "changed_files_count", "commit_sha", "validation_message", "environment", "labels", "url"})
record HostEntry(
        @JsonProperty("server_group") String serverGroup,
        @JsonProperty("host") String host,
        @JsonProperty("status") String status,
        @JsonProperty("previous_status") String previousStatus,
        @JsonProperty("since") String since,
        @JsonProperty("stale") boolean stale,
        @JsonProperty("deleted") boolean deleted,
        @JsonProperty("changed_files") List<String> changedFiles,
        @JsonProperty("changed_files_count") int changedFilesCount,
        @JsonProperty("commit_sha") String commitSha,
        @JsonProperty("validation_message") String validationMessage,
        @JsonProperty("environment") String environment,
        @JsonProperty("labels") Map<String, String> labels,
        @JsonProperty("url") String url) {

    static final int MAX_FILES = 100;

    HostEntry {
        changedFiles = changedFiles == null ? List.of()
                : List.copyOf(changedFiles.subList(0, Math.min(MAX_FILES, changedFiles.size())));
        labels = labels == null ? Map.of() : labels;
    }
}
