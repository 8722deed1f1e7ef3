package io.gitops.status;

/**
 * The user's seed documents' example bodies, verbatim, shared by every test that sends them:
 * the README's (seeds/000_*) pipeline and cron examples and the rsyslog integration's (seeds/001_*)
 * two v1 payloads.
 */
public final class SeedExamples {

    /** seeds/000_*: the README's POST /status/pipeline example. */
    public static final String PIPELINE = """
            {
                "project_name": "gitops-for-servers",
                "repo_name": "rsyslog",
                "server_group": "rsyslog-prod",
                "server_type": "rsyslog",
                "environment": "prod",
                "host": "rsyslog-01",
                "status": "synced",
                "changed_files": [],
                "validation_status": "passed",
                "validation_message": "rsyslog syntax validation passed",
                "commit_sha": "abc1234567890",
                "branch": "master",
                "updated_by": "woodpecker",
                "last_pipeline_run": "2026-04-26T10:30:00Z"
              }""";

    /** seeds/000_*: the README's POST /status/cron example. */
    public static final String CRON = """
            {
                "server_group": "rsyslog-prod",
                "host": "rsyslog-01",
                "status": "synced",
                "changed_files": [],
                "last_cron_check": "2026-04-26T11:00:00Z"
              }""";

    /** seeds/000_*: the README's POST /status/cron example when drift is detected. */
    public static final String CRON_DRIFT = """
            {
                "server_group": "rsyslog-prod",
                "host": "rsyslog-01",
                "status": "out_of_sync",
                "changed_files": ["/etc/rsyslog.conf", "/etc/rsyslog.d/50-default.conf"],
                "last_cron_check": "2026-04-26T11:00:00Z"
              }""";

    /** seeds/001_*: the rsyslog v1 payload when synced. */
    public static final String V1_SYNCED = """
            {
              "repo": "rsyslog",
              "server": "rsyslog-lab",
              "sync_status": "SYNCED",
              "drift_count": 0,
              "files": [],
              "last_check": "2026-04-21T10:30:00Z"
            }""";

    /** seeds/001_*: the rsyslog v1 payload when drift is detected. */
    public static final String V1_DRIFT = """
            {
              "repo": "rsyslog",
              "server": "rsyslog-lab",
              "sync_status": "OUT_OF_SYNC",
              "drift_count": 2,
              "files": [
                { "name": "rsyslog.conf" },
                { "name": "rsyslog.d/30-lab.conf" }
              ],
              "last_check": "2026-04-21T10:32:15Z"
            }""";

    private SeedExamples() {
    }
}
