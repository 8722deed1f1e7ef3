package io.gitops.status.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonInclude.Include;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * A change of a record's status: when the server stored it, the status before ({@code null} when
 * the write created the record) and after, which kind of write made it ({@code pipeline},
 * {@code cron}, {@code legacy}), and the record's commit and changed-file count after the write.
 */
@JsonInclude(Include.ALWAYS)
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonPropertyOrder({"at", "from", "to", "source", "commit_sha", "changed_files_count"})
public record Transition(
        @JsonProperty("at") String at,
        @JsonProperty("from") String from,
        @JsonProperty("to") String to,
        @JsonProperty("source") String source,
        @JsonProperty("commit_sha") String commitSha,
        @JsonProperty("changed_files_count") int changedFilesCount) {

    public Transition {
        // Few distinct values across many records: share them.
        from = from == null ? null : from.intern();
        to = to == null ? null : to.intern();
        source = source == null ? null : source.intern();
    }
}
