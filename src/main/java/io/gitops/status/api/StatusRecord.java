package io.gitops.status.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonInclude.Include;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonView;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One server's status: a row of every list the API returns and a record of the data file.
 *
 * <p>Every field is written on every row, {@code null} when unknown, in the contract's order, so
 * that Grafana sees the same columns on every row. {@code changed_files_count} is derived and only
 * appears on the wire ({@link Views.Api}); the data file is written with {@link Views.Storage}.
 */
@JsonInclude(Include.ALWAYS)
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonPropertyOrder({"server_group", "host", "project_name", "repo_name", "server_type", "environment",
    "status", "changed_files", "changed_files_count", "validation_status", "validation_message",
    "commit_sha", "branch", "updated_by", "labels", "last_pipeline_run", "last_cron_check", "timestamp"})
public record StatusRecord(
        @JsonProperty("server_group") String serverGroup,
        @JsonProperty("host") String host,
        @JsonProperty("project_name") String projectName,
        @JsonProperty("repo_name") String repoName,
        @JsonProperty("server_type") String serverType,
        @JsonProperty("environment") String environment,
        @JsonProperty("status") String status,
        @JsonProperty("changed_files") List<String> changedFiles,
        @JsonProperty("validation_status") String validationStatus,
        @JsonProperty("validation_message") String validationMessage,
        @JsonProperty("commit_sha") String commitSha,
        @JsonProperty("branch") String branch,
        @JsonProperty("updated_by") String updatedBy,
        @JsonProperty("labels") Map<String, String> labels,
        @JsonProperty("last_pipeline_run") String lastPipelineRun,
        @JsonProperty("last_cron_check") String lastCronCheck,
        @JsonProperty("timestamp") String timestamp) {

    /** Rows are listed by server group, then host, in plain string order. */
    public static final Comparator<StatusRecord> ORDER =
            Comparator.comparing(StatusRecord::serverGroup).thenComparing(StatusRecord::host);

    public StatusRecord {
        // Fields that repeat across hosts share one String each: a large store holds far less.
        serverGroup = shared(serverGroup);
        projectName = shared(projectName);
        repoName = shared(repoName);
        serverType = shared(serverType);
        environment = shared(environment);
        status = shared(status);
        validationStatus = shared(validationStatus);
        validationMessage = shared(validationMessage);
        branch = shared(branch);
        updatedBy = shared(updatedBy);
        changedFiles = changedFiles == null ? List.of() : List.copyOf(changedFiles);
        labels = labels == null || labels.isEmpty() ? Map.of()
                : java.util.Collections.unmodifiableMap(new TreeMap<>(labels));
    }

    private static String shared(String value) {
        return value == null || value.length() > 256 ? value : value.intern();
    }

    /** The store key: {@code "<server_group>/<host>"}. */
    public static String key(String serverGroup, String host) {
        return serverGroup + "/" + host;
    }

    public String key() {
        return key(serverGroup, host);
    }

    @JsonProperty(value = "changed_files_count", access = JsonProperty.Access.READ_ONLY)
    @JsonView(Views.Api.class)
    public int changedFilesCount() {
        return changedFiles.size();
    }

    /** A copy with the drift fields replaced, as a drift check (cron or legacy) writes them. */
    public StatusRecord withDrift(String newStatus, List<String> newChangedFiles, String newLastCronCheck,
            String newTimestamp) {
        return new StatusRecord(serverGroup, host, projectName, repoName, serverType, environment, newStatus,
                newChangedFiles, validationStatus, validationMessage, commitSha, branch, updatedBy, labels,
                lastPipelineRun, newLastCronCheck, newTimestamp);
    }

    /** Jackson views: what goes on the wire and what goes into the data file. */
    public static final class Views {
        private Views() {
        }

        public static class Storage {
        }

        public static class Api extends Storage {
        }
    }
}
