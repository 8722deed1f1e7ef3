package io.gitops.status.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonInclude.Include;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonView;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

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
    "commit_sha", "branch", "updated_by", "labels", "last_pipeline_run", "last_cron_check", "timestamp",
    "written_by_token", "history"})
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
        @JsonProperty("timestamp") String timestamp,
        @JsonProperty("written_by_token") @JsonView(Views.Storage.class) String writtenByToken,
        @JsonProperty("history") @JsonView(Views.Storage.class) @JsonDeserialize(using = HistoryJsonReader.class)
        List<Transition> history) {

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
        // A fleet deploys one commit to many hosts, and drift checks run on a schedule.
        commitSha = shared(commitSha);
        lastPipelineRun = shared(lastPipelineRun);
        lastCronCheck = shared(lastCronCheck);
        timestamp = shared(timestamp);
        changedFiles = changedFiles == null ? List.of() : List.copyOf(changedFiles);
        labels = SharedLabels.of(labels);
        writtenByToken = shared(writtenByToken);
        history = History.of(history);
    }

    /** A record written without a token, with no history yet. */
    public StatusRecord(String serverGroup, String host, String projectName, String repoName, String serverType,
            String environment, String status, List<String> changedFiles, String validationStatus,
            String validationMessage, String commitSha, String branch, String updatedBy, Map<String, String> labels,
            String lastPipelineRun, String lastCronCheck, String timestamp) {
        this(serverGroup, host, projectName, repoName, serverType, environment, status, changedFiles,
                validationStatus, validationMessage, commitSha, branch, updatedBy, labels, lastPipelineRun,
                lastCronCheck, timestamp, null, List.of());
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

    /** The latest of {@code last_pipeline_run} and {@code last_cron_check}; {@code null} when neither is known. */
    public String lastSeen() {
        if (lastPipelineRun == null || lastCronCheck == null) {
            return lastPipelineRun != null ? lastPipelineRun : lastCronCheck;
        }
        Instant pipeline = Timestamps.instant(lastPipelineRun);
        Instant cron = Timestamps.instant(lastCronCheck);
        if (pipeline == null || cron == null) { // unreadable text from an old data file
            return pipeline != null ? lastPipelineRun : lastCronCheck;
        }
        return pipeline.isAfter(cron) ? lastPipelineRun : lastCronCheck;
    }

    /**
     * When the server was last heard of: {@link #lastSeen()}, else the {@code timestamp} of the last
     * write (a record from an old file may have neither run time). Retention dates records by it.
     */
    public String lastSeenOrTimestamp() {
        String seen = lastSeen();
        return seen != null ? seen : timestamp;
    }

    /** A copy with the drift fields replaced, as a drift check (cron or legacy) writes them. */
    public StatusRecord withDrift(String newStatus, List<String> newChangedFiles, String newLastCronCheck,
            String newTimestamp) {
        return new StatusRecord(serverGroup, host, projectName, repoName, serverType, environment, newStatus,
                newChangedFiles, validationStatus, validationMessage, commitSha, branch, updatedBy, labels,
                lastPipelineRun, newLastCronCheck, newTimestamp, writtenByToken, history);
    }

    /** A copy with who wrote it and its transitions replaced. */
    public StatusRecord withWriter(String newWrittenByToken, List<Transition> newHistory) {
        return new StatusRecord(serverGroup, host, projectName, repoName, serverType, environment, status,
                changedFiles, validationStatus, validationMessage, commitSha, branch, updatedBy, labels,
                lastPipelineRun, lastCronCheck, timestamp, newWrittenByToken, newHistory);
    }

    /**
     * Jackson views: what goes on the wire and what goes into the data file. {@link
     * io.gitops.status.json.Json#mapper()} writes the API view unless told otherwise; fields with
     * no view go into both.
     */
    public static final class Views {
        private Views() {
        }

        public static class Storage {
        }

        public static class Api {
        }
    }
}
