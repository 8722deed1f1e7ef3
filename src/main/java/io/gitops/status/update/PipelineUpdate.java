package io.gitops.status.update;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gitops.status.api.StatusRecord;
import java.util.List;

/**
 * {@code POST /status/pipeline}: a full deployment snapshot. Replaces every pipeline-owned field
 * (omitted ones become empty) and keeps the drift check's {@code last_cron_check}.
 */
public record PipelineUpdate(StatusRecord fields, List<String> ignoredFields) implements Update {

    public static PipelineUpdate parse(ObjectNode body, InputRules rules) {
        BodyFields in = new BodyFields(body, rules);
        StatusRecord fields = new StatusRecord(
                in.serverGroup("server_group"),
                in.identity("host"),
                in.string("project_name"),
                in.string("repo_name"),
                in.string("server_type"),
                in.string("environment"),
                in.requiredEnumeration("status", BodyFields.STATUSES),
                in.fileNames("changed_files"),
                in.enumeration("validation_status", BodyFields.VALIDATION_STATUSES),
                in.message("validation_message"),
                in.string("commit_sha"),
                in.string("branch"),
                in.string("updated_by"),
                in.labels("labels"),
                in.timestamp("last_pipeline_run"),
                null,
                null);
        return new PipelineUpdate(fields, in.ignored());
    }

    @Override
    public String source() {
        return "pipeline";
    }

    @Override
    public String serverGroup() {
        return fields.serverGroup();
    }

    @Override
    public String host() {
        return fields.host();
    }

    @Override
    public StatusRecord applyTo(StatusRecord current, String now) {
        StatusRecord f = fields;
        return new StatusRecord(f.serverGroup(), f.host(), f.projectName(), f.repoName(), f.serverType(),
                f.environment(), f.status(), f.changedFiles(), f.validationStatus(), f.validationMessage(),
                f.commitSha(), f.branch(), f.updatedBy(), f.labels(),
                f.lastPipelineRun() != null ? f.lastPipelineRun() : now,
                current == null ? null : current.lastCronCheck(),
                now);
    }
}
