package io.gitops.status.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonInclude.Include;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/** A record as the v1 API showed it ({@code GET /api/status}, {@code GET /status.json}). */
@JsonInclude(Include.ALWAYS)
@JsonPropertyOrder({"repo", "server", "sync_status", "drift_count", "files", "last_check"})
public record LegacyStatus(
        @JsonProperty("repo") String repo,
        @JsonProperty("server") String server,
        @JsonProperty("sync_status") String syncStatus,
        @JsonProperty("drift_count") int driftCount,
        @JsonProperty("files") List<File> files,
        @JsonProperty("last_check") String lastCheck) {

    public record File(@JsonProperty("name") String name) {
    }
}
