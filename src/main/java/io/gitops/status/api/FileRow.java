package io.gitops.status.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonInclude.Include;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/** One changed file of one host ({@code GET /status/files}), for Grafana drill-down tables. */
@JsonInclude(Include.ALWAYS)
@JsonPropertyOrder({"server_group", "host", "file", "status", "last_cron_check"})
public record FileRow(
        @JsonProperty("server_group") String serverGroup,
        @JsonProperty("host") String host,
        @JsonProperty("file") String file,
        @JsonProperty("status") String status,
        @JsonProperty("last_cron_check") String lastCronCheck) {

    /** The rows of a record's changed files, in the record's order. */
    public static java.util.stream.Stream<FileRow> of(StatusRecord record) {
        return record.changedFiles().stream()
                .map(f -> new FileRow(record.serverGroup(), record.host(), f, record.status(), record.lastCronCheck()));
    }
}
