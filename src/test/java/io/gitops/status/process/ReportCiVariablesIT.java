package io.gitops.status.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.gitops.status.process.ReportScript.Result;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The report helper in each CI system: the system's own variables fill {@code commit_sha},
 * {@code branch}, {@code updated_by}, {@code repo_name} and the {@code build_url} label;
 * {@code GITOPS_STATUS_*} variables win over them, options over both, and {@code --no-ci-env}
 * ignores them.
 */
class ReportCiVariablesIT {

    /** A CI system's variables and what the record should hold from them. */
    record Ci(String name, Map<String, String> env, String sha, String branch, String updatedBy, String repoName,
            String buildUrl) {

        @Override
        public String toString() {
            return name;
        }
    }

    @TempDir
    static Path dir;

    private static ReportFixture bench;

    @BeforeAll
    static void start() throws Exception {
        bench = ReportFixture.start(dir, List.of());
    }

    @AfterAll
    static void stop() throws Exception {
        if (bench != null) {
            bench.close();
        }
    }

    static Stream<Ci> systems() {
        return Stream.of(
                new Ci("woodpecker", Map.of("CI", "woodpecker", "CI_COMMIT_SHA", "wp0123", "CI_COMMIT_BRANCH", "main",
                        "CI_COMMIT_AUTHOR", "alice", "CI_REPO_NAME", "rsyslog",
                        "CI_PIPELINE_URL", "https://ci.example.com/repos/7/pipeline/42"),
                        "wp0123", "main", "woodpecker:alice", "rsyslog", "https://ci.example.com/repos/7/pipeline/42"),
                new Ci("github-actions", Map.of("GITHUB_ACTIONS", "true", "GITHUB_SHA", "gh0123",
                        "GITHUB_REF_NAME", "main", "GITHUB_ACTOR", "octocat", "GITHUB_REPOSITORY", "acme/nginx-config",
                        "GITHUB_SERVER_URL", "https://github.com", "GITHUB_RUN_ID", "123"),
                        "gh0123", "main", "github-actions:octocat", "nginx-config",
                        "https://github.com/acme/nginx-config/actions/runs/123"),
                new Ci("gitlab-ci", Map.of("GITLAB_CI", "true", "CI_COMMIT_SHA", "gl0123",
                        "CI_COMMIT_REF_NAME", "release/1.2", "GITLAB_USER_LOGIN", "bob", "CI_PROJECT_NAME", "splunk",
                        "CI_PIPELINE_URL", "https://gitlab.example.com/infra/splunk/-/pipelines/9"),
                        "gl0123", "release/1.2", "gitlab-ci:bob", "splunk",
                        "https://gitlab.example.com/infra/splunk/-/pipelines/9"),
                new Ci("jenkins", Map.of("JENKINS_URL", "https://jenkins.example.com/", "GIT_COMMIT", "jk0123",
                        "GIT_BRANCH", "origin/master", "BUILD_URL", "https://jenkins.example.com/job/nginx/5/"),
                        "jk0123", "master", "jenkins", null, "https://jenkins.example.com/job/nginx/5/"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("systems")
    void theSystemsVariablesFillTheFieldsAndOptionsWin(Ci ci) throws Exception {
        String host = "ci-" + ci.name();
        String key = "report-ci/" + host;
        Map<String, String> env = new HashMap<>(ci.env());
        env.putAll(Map.of("GITOPS_STATUS_SERVER_GROUP", "report-ci", "GITOPS_STATUS_HOST", host,
                "GITOPS_STATUS_STATUS", "synced"));

        assertSucceeds(bench.report(env, "pipeline"));
        JsonNode row = bench.read(key);
        assertEquals(ci.sha(), text(row, "commit_sha"));
        assertEquals(ci.branch(), text(row, "branch"));
        assertEquals(ci.updatedBy(), text(row, "updated_by"));
        assertEquals(ci.repoName(), text(row, "repo_name"));
        assertEquals(ci.buildUrl(), text(row.get("labels"), "build_url"));
        assertEquals("synced", text(row, "status"), "from GITOPS_STATUS_STATUS");

        env.putAll(Map.of("GITOPS_STATUS_COMMIT_SHA", "env0123", "GITOPS_STATUS_UPDATED_BY", "deploy-bot"));
        assertSucceeds(bench.report(env, "pipeline"));
        row = bench.read(key);
        assertEquals("env0123", text(row, "commit_sha"), "GITOPS_STATUS_COMMIT_SHA wins over the CI's");
        assertEquals("deploy-bot", text(row, "updated_by"));
        assertEquals(ci.branch(), text(row, "branch"));

        assertSucceeds(bench.report(env, "pipeline", "--commit-sha", "opt0123", "--branch", "hotfix",
                "--updated-by", "me", "--repo-name", "other", "--label", "build_url=https://elsewhere/1",
                "--status", "failed", "--host", host));
        row = bench.read(key);
        assertEquals("opt0123", text(row, "commit_sha"), "options win");
        assertEquals("hotfix", text(row, "branch"));
        assertEquals("me", text(row, "updated_by"));
        assertEquals("other", text(row, "repo_name"));
        assertEquals("https://elsewhere/1", text(row.get("labels"), "build_url"));
        assertEquals("failed", text(row, "status"));

        env.remove("GITOPS_STATUS_COMMIT_SHA");
        env.remove("GITOPS_STATUS_UPDATED_BY");
        assertSucceeds(bench.report(env, "pipeline", "--no-ci-env"));
        row = bench.read(key);
        assertEquals(null, text(row, "commit_sha"), "--no-ci-env");
        assertEquals(null, text(row, "branch"));
        assertEquals("{}", row.get("labels").toString());
        assertEquals(List.of(), bench.ignoredFieldsOfLastWrite());
    }

    @Test
    void cronReportsTakeNoPipelineFieldFromTheSystem() throws Exception {
        Map<String, String> woodpecker = systems().findFirst().orElseThrow().env();
        assertSucceeds(bench.report(woodpecker, "pipeline", "--server-group", "report-ci", "--host", "cron-01",
                "--status", "synced", "--commit-sha", "deployed1"));
        Result cron = bench.report(woodpecker, "cron", "--server-group", "report-ci", "--host", "cron-01",
                "--status", "out_of_sync", "--changed-file", "/etc/rsyslog.conf");
        assertSucceeds(cron);
        assertEquals(List.of(), bench.ignoredFieldsOfLastWrite(), "a cron body holds drift fields only");
        assertEquals("deployed1", text(bench.read("report-ci/cron-01"), "commit_sha"));
    }

    @Test
    void jenkinsMultibranchNameWinsOverTheGitPluginsBranch() throws Exception {
        Map<String, String> env = Map.of("JENKINS_URL", "https://jenkins.example.com/", "GIT_BRANCH", "origin/main",
                "BRANCH_NAME", "feature/x");
        assertSucceeds(bench.report(env, "pipeline", "--server-group", "report-ci", "--host", "jenkins-mb",
                "--status", "synced"));
        assertEquals("feature/x", text(bench.read("report-ci/jenkins-mb"), "branch"));
    }

    private static void assertSucceeds(Result result) {
        assertEquals(0, result.exit(), result.output());
        assertTrue(result.out().startsWith("gitops-status-report: report-ci/"), result.output());
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.textValue();
    }
}
