package io.gitops.status.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import static io.gitops.status.process.ReportFixture.strings;

import com.fasterxml.jackson.databind.JsonNode;
import io.gitops.status.ContractFields;
import io.gitops.status.process.ReportScript.Result;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code contrib/gitops-status-report} against the application over real HTTP, through
 * {@link FaultyProxy} (forwarding only here): what it sends. Every field of both updates as an
 * option, stored exactly; a hostile validation message stored byte for byte by every awk at hand;
 * changed files from arguments, a file and standard input; usage
 * errors that send nothing. {@link ReportCiVariablesIT} covers the CI systems' variables,
 * {@link ReportDeliveryIT} tokens, refusals and retries.
 */
class ReportHelperIT {

    /** Passes the bytes of file $1 as the validation message, as an argument or in the environment. */
    private static final String MESSAGE_DRIVER = """
            m=$(/bin/cat "$1"; printf x); m=${m%x}
            how=$2; shift 2
            case $how in
                arg) exec "$@" --validation-message "$m" ;;
                env) GITOPS_STATUS_VALIDATION_MESSAGE=$m; export GITOPS_STATUS_VALIDATION_MESSAGE; exec "$@" ;;
            esac
            """;

    /** Every kind of byte a validation log may hold, and shell syntax that must stay text. */
    private static final String HOSTILE = "say \"hi\" and 'bye'; back\\slash \\n \\u0041 \\\\\n"
            + "second line\ttab\rCR \u0001 \u001b[31mred\u001b[0m \u001f \u007f é 中文 😀\n"
            + "$(mkdir PWNED) `mkdir PWNED` ${HOME:-x} $HOME %s %n %% -- --url=x\n\n";

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

    @BeforeEach
    void forwardEverything() {
        bench.proxy.plan();
    }

    @Test
    void pipelineReportStoresEveryFieldGiven() throws Exception {
        Result result = report(Map.of(), "pipeline", "--server-group", "report-prod", "--host", "full-01",
                "--status", "SYNCED", "--project-name", "gitops-for-servers", "--repo-name", "nginx",
                "--server-type", "nginx", "--environment", "prod", "--changed-file", "/etc/nginx/nginx.conf",
                "--validation-status", "passed", "--validation-message", "nginx: configuration file test is successful",
                "--commit-sha", "abc1234567890", "--branch", "master", "--updated-by", "woodpecker",
                "--label", "team=infra", "--label=owner=a=b", "--last-pipeline-run", "2026-04-26T13:30:00+03:00");
        assertEquals(0, result.exit(), result.output());
        assertEquals("gitops-status-report: report-prod/full-01 created\n", result.out());

        JsonNode row = read("report-prod/full-01");
        assertEquals("synced", row.get("status").textValue());
        assertEquals("gitops-for-servers", row.get("project_name").textValue());
        assertEquals("nginx", row.get("repo_name").textValue());
        assertEquals("nginx", row.get("server_type").textValue());
        assertEquals("prod", row.get("environment").textValue());
        assertEquals("[\"/etc/nginx/nginx.conf\"]", row.get("changed_files").toString());
        assertEquals("passed", row.get("validation_status").textValue());
        assertEquals("nginx: configuration file test is successful", row.get("validation_message").textValue());
        assertEquals("abc1234567890", row.get("commit_sha").textValue());
        assertEquals("master", row.get("branch").textValue());
        assertEquals("woodpecker", row.get("updated_by").textValue());
        assertEquals("{\"owner\":\"a=b\",\"team\":\"infra\"}", row.get("labels").toString(), "labels come back sorted");
        assertEquals("2026-04-26T10:30:00Z", row.get("last_pipeline_run").textValue());
        assertEquals(List.of(), bench.ignoredFieldsOfLastWrite(), "every field sent is one the service takes");

        Result again = report(Map.of(), "pipeline", "--server-group=report-prod", "--host=full-01", "--status=failed");
        assertEquals("gitops-status-report: report-prod/full-01 updated\n", again.out(), again.output());
        assertTrue(read("report-prod/full-01").get("commit_sha").isNull(), "a pipeline report replaces the snapshot");
    }

    @Test
    void cronReportChangesOnlyTheDriftFields() throws Exception {
        report(Map.of(), "pipeline", "--server-group", "report-prod", "--host", "cron-01", "--status", "synced",
                "--commit-sha", "abc1234");
        Path list = Files.writeString(dir.resolve("drifted.txt"), "/etc/nginx/conf.d/b.conf\r\n\n/etc/ü \"q\".conf\n");
        Result result = report(Map.of(), "cron", "--server-group", "report-prod", "--host", "cron-01",
                "--status", "out_of_sync", "--changed-file", "/etc/nginx/nginx.conf", "--changed-files-from",
                list.toString(), "--changed-file", "/etc/a b.conf", "--last-cron-check", "2026-04-26T11:00:00Z");
        assertEquals(0, result.exit(), result.output());
        JsonNode row = read("report-prod/cron-01");
        assertEquals("out_of_sync", row.get("status").textValue());
        assertEquals(List.of("/etc/nginx/nginx.conf", "/etc/nginx/conf.d/b.conf", "/etc/ü \"q\".conf", "/etc/a b.conf"),
                strings(row.get("changed_files")), "in the order given, blank lines and CRs dropped");
        assertEquals("2026-04-26T11:00:00Z", row.get("last_cron_check").textValue());
        assertEquals("abc1234", row.get("commit_sha").textValue(), "pipeline fields kept");
        assertEquals(List.of(), bench.ignoredFieldsOfLastWrite());

        report(Map.of(), "cron", "--server-group", "report-prod", "--host", "cron-01", "--status", "failed",
                "--keep-changed-files");
        assertEquals(4, read("report-prod/cron-01").get("changed_files").size(), "--keep-changed-files keeps them");
        report(Map.of(), "cron", "--server-group", "report-prod", "--host", "cron-01", "--status", "synced");
        assertEquals("[]", read("report-prod/cron-01").get("changed_files").toString(),
                "a cron report without files says there are none");

        Result fromStdin = bench.report(Map.of(), "/etc/one\n\n/etc/two", List.of(), List.of("cron",
                "--server-group", "report-prod", "--host", "cron-01", "--status", "out_of_sync",
                "--changed-files-from", "-"));
        assertEquals(0, fromStdin.exit(), fromStdin.output());
        assertEquals(List.of("/etc/one", "/etc/two"), strings(read("report-prod/cron-01").get("changed_files")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"awk", "gawk", "mawk", "busybox"})
    void hostileValidationMessageIsStoredByteForByte(String awk) throws Exception {
        Path program = ReportScript.findOrNull(awk);
        assumeTrue(program != null, awk + " is not installed");
        Path awkDir = Files.createDirectories(dir.resolve("awk-" + awk));
        try (ReportScript withAwk = ReportScript.withAwk(awkDir, program)) {
            Path message = Files.write(dir.resolve("message-" + awk), HOSTILE.getBytes(StandardCharsets.UTF_8));
            Path driver = Files.writeString(dir.resolve("driver.sh"), MESSAGE_DRIVER);
            String host = "hostile-" + awk;
            List<String> args = List.of("pipeline", "--server-group", "report-prod", "--host", host,
                    "--status", "failed");

            for (String how : List.of("arg", "env")) {
                Result result = withAwk.run(bench.env(Map.of()), null,
                        List.of(driver.toString(), message.toString(), how), args);
                assertEquals(0, result.exit(), result.output());
                assertEquals(HOSTILE, read("report-prod/" + host).get("validation_message").textValue(),
                        "passed as " + how + " with " + awk);
            }
            List<String> fromFile = new ArrayList<>(args);
            fromFile.addAll(List.of("--validation-message-from", message.toString()));
            Result result = withAwk.run(bench.env(Map.of()), null, List.of(), fromFile);
            assertEquals(0, result.exit(), result.output());
            assertEquals(HOSTILE.stripTrailing(), read("report-prod/" + host).get("validation_message").textValue(),
                    "from a file, trailing newlines removed");
            assertFalse(Files.exists(awkDir.resolve("PWNED")), "nothing in the message ran");
        }
    }

    @Test
    void aValidationLogOver64KibIsCutToFitWithinACharacter() throws Exception {
        String log = "x" + "é".repeat(40_000);
        Path file = Files.writeString(dir.resolve("long.log"), log);
        Result result = report(Map.of(), "pipeline", "--server-group", "report-prod", "--host", "long-01",
                "--status", "failed", "--validation-message-from", file.toString());
        assertEquals(0, result.exit(), result.output());
        String stored = read("report-prod/long-01").get("validation_message").textValue();
        assertTrue(stored.getBytes(StandardCharsets.UTF_8).length <= 65_536, "within the service's limit");
        assertTrue(stored.startsWith("xéé"), stored.substring(0, 10));
        assertTrue(stored.endsWith("é\n[cut by gitops-status-report: 80001 bytes in all]"), "cut between characters");
    }

    @Test
    void everyPipelineAndCronFieldHasItsOption() throws Exception {
        Result help = bench.script.run(Map.of(), "--help");
        assertEquals(0, help.exit(), help.output());
        for (String field : ContractFields.RECORD) {
            if (field.equals("changed_files_count") || field.equals("timestamp")) {
                continue; // derived by the service, never taken from a body
            }
            String option = switch (field) {
                case "changed_files" -> "--changed-file";
                case "labels" -> "--label";
                default -> "--" + field.replace('_', '-');
            };
            assertTrue(help.out().contains(option + " "), option + " in --help");
        }
        for (String option : List.of("--changed-files-from", "--validation-message-from", "--url", "--token-file",
                "--connect-timeout", "--max-time", "--retries", "GITOPS_STATUS_URL", "GITOPS_STATUS_TOKEN")) {
            assertTrue(help.out().contains(option), option + " in --help");
        }
    }

    @Test
    void usageErrorsExitTwoAndSendNothing() throws Exception {
        List<List<String>> wrong = List.of(
                List.of(),
                List.of("deploy", "--host", "h"),
                List.of("pipeline", "--server-group", "g", "--status", "synced"),
                List.of("pipeline", "--server-group", "g", "--host", "h"),
                List.of("pipeline", "--server-group", "g", "--host", "h", "--status", "synced", "--colour", "x"),
                List.of("pipeline", "--server-group", "g", "--host", "h", "--status", "ok", "--last-cron-check", "x"),
                List.of("cron", "--server-group", "g", "--host", "h", "--commit-sha", "abc"),
                List.of("cron", "--server-group", "g", "--host", "h", "--label", "a=b"),
                List.of("cron", "--server-group", "g", "--host", "h", "--retries", "many"),
                List.of("cron", "--server-group", "g", "--host", "h", "--changed-files-from", "/no/such/file"),
                List.of("cron", "--server-group", "g", "--host", "h", "--token-file", "/no/such/file"),
                List.of("cron", "--server-group", "g", "--host", "h", "--status"));
        for (List<String> args : wrong) {
            Result result = bench.report(Map.of(), null, List.of(), args);
            assertEquals(2, result.exit(), args + "\n" + result.output());
            assertTrue(result.err().contains("gitops-status-report: "), result.output());
        }
        Result noUrl = bench.script.run(Map.of(), "cron", "--server-group", "g", "--host", "h");
        assertEquals(2, noUrl.exit(), noUrl.output());
        assertTrue(noUrl.err().contains("no URL"), noUrl.output());
        assertEquals(List.of(), bench.proxy.requests(), "nothing was sent");
    }

    private static Result report(Map<String, String> env, String... args) throws Exception {
        return bench.report(env, args);
    }

    private static JsonNode read(String key) throws Exception {
        return bench.read(key);
    }
}
