package io.gitops.status;

import java.util.List;

/** The field lists the contract fixes, shared by the HTTP tests and the container tests. */
public final class ContractFields {

    /** §1: every row carries these fields, in this order (later features may append more). */
    public static final List<String> RECORD = List.of("server_group", "host", "project_name", "repo_name",
            "server_type", "environment", "status", "changed_files", "changed_files_count", "validation_status",
            "validation_message", "commit_sha", "branch", "updated_by", "labels", "last_pipeline_run",
            "last_cron_check", "timestamp");

    /** Issue 5: the fields every row carries after the contract's, in this order. */
    public static final List<String> OPERATIONS = List.of("last_seen", "stale", "written_by_token");

    /** Every field of a row, in order: the contract's, then the operations fields. */
    public static final List<String> ROW = java.util.stream.Stream.concat(RECORD.stream(), OPERATIONS.stream())
            .toList();

    /** §5: a v1 object's fields, in this order. */
    public static final List<String> LEGACY = List.of("repo", "server", "sync_status", "drift_count", "files",
            "last_check");

    private ContractFields() {
    }
}
