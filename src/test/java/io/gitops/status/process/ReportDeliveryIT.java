package io.gitops.status.process;

import static io.gitops.status.process.FaultyProxy.Fault.ANSWER_429;
import static io.gitops.status.process.FaultyProxy.Fault.ANSWER_503;
import static io.gitops.status.process.FaultyProxy.Fault.ANSWER_FOREIGN_200;
import static io.gitops.status.process.FaultyProxy.Fault.ANSWER_FOREIGN_502;
import static io.gitops.status.process.FaultyProxy.Fault.DROP;
import static io.gitops.status.process.FaultyProxy.Fault.STALL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gitops.status.process.ReportScript.Result;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How the report helper delivers, against the application with a token file, through
 * {@link FaultyProxy}: the token sent as a Bearer header, never shown and on no process's command
 * line; a 401, 400 or 404 ends
 * the script at once with the service's message and exit 1 (one request, no retry); 503,
 * dropped connections and timeouts are retried with growing waits until the write is stored, or
 * until {@code --retries} is spent (exit 3).
 */
class ReportDeliveryIT {

    /** A token with the two characters a curl config must escape. */
    private static final String TOKEN = "s3cr\"et\\token-7f3a9c";

    @TempDir
    static Path dir;

    private static ReportFixture bench;

    @BeforeAll
    static void start() throws Exception {
        String sha256 = HexFormat.of().formatHex(
                MessageDigest.getInstance("SHA-256").digest(TOKEN.getBytes(StandardCharsets.UTF_8)));
        Path tokens = Files.writeString(dir.resolve("tokens"), "ci " + sha256 + " write:report-*\n");
        bench = ReportFixture.start(dir, List.of("-Dgitops.token.file=" + tokens));
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
    void theTokenIsSentAsBearerAndNeverShown() throws Exception {
        Result result = report(Map.of("GITOPS_STATUS_TOKEN", TOKEN), "--host", "token-01", "--verbose");
        assertEquals(0, result.exit(), result.output());
        assertEquals("Bearer " + TOKEN, bench.proxy.requests().get(0).headers().get("authorization"));
        assertEquals("ci", bench.read("report-prod/token-01").get("written_by_token").textValue());
        assertFalse(result.output().contains("s3cr"), result.output());
        assertTrue(result.err().contains("Authorization: Bearer (hidden; from GITOPS_STATUS_TOKEN)"), result.output());

        Path file = Files.writeString(dir.resolve("token"), TOKEN + "\n");
        Result fromOption = report(Map.of("GITOPS_STATUS_TOKEN", "wrong"), "--host", "token-02",
                "--token-file", file.toString());
        assertEquals(0, fromOption.exit(), "--token-file wins over GITOPS_STATUS_TOKEN\n" + fromOption.output());
        Result fromEnvFile = report(Map.of("GITOPS_STATUS_TOKEN_FILE", file.toString()), "--host", "token-03");
        assertEquals(0, fromEnvFile.exit(), fromEnvFile.output());
    }

    @Test
    void theTokenIsOnNoCommandLine() throws Exception {
        bench.proxy.plan(STALL);
        CompletableFuture<Result> run = CompletableFuture.supplyAsync(() -> {
            try {
                return report(Map.of("GITOPS_STATUS_TOKEN", TOKEN), "--host", "token-06", "--max-time", "3",
                        "--retries", "0");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (bench.proxy.requests().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(1, bench.proxy.requests().size(), "curl is waiting for the stalled answer");
        byte[] token = TOKEN.getBytes(StandardCharsets.UTF_8);
        try (Stream<Path> processes = Files.list(Path.of("/proc"))) {
            for (Path process : processes.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                byte[] commandLine;
                try {
                    commandLine = Files.readAllBytes(process.resolve("cmdline"));
                } catch (IOException gone) {
                    continue;
                }
                assertFalse(contains(commandLine, token), "the token on the command line of " + process);
            }
        }
        assertEquals(3, run.get(30, TimeUnit.SECONDS).exit());
    }

    @Test
    void aMissingOrWrongTokenEndsAtOnceWithTheServicesMessage() throws Exception {
        Result none = report(Map.of(), "--host", "token-04");
        assertRefused(none, "HTTP 401 unauthorized: writing needs Authorization: Bearer <token>");
        assertTrue(none.err().contains("no token was sent: set GITOPS_STATUS_TOKEN or --token-file"), none.output());

        bench.proxy.plan();
        assertRefused(report(Map.of("GITOPS_STATUS_TOKEN", "wrong"), "--host", "token-05"), "HTTP 401 unauthorized");
    }

    @Test
    void aValidationErrorEndsAtOnceWithTheServicesMessage() throws Exception {
        Result result = report(Map.of("GITOPS_STATUS_TOKEN", TOKEN), "--host", "bad-01", "--status", "green");
        assertRefused(result, "refused: HTTP 400 validation_failed (field status): "
                + "status must be one of synced, out_of_sync, failed, unknown");

        bench.proxy.plan();
        Result cron = bench.report(Map.of("GITOPS_STATUS_TOKEN", TOKEN), "cron", "--server-group", "report-prod",
                "--host", "never-created", "--status", "synced");
        assertRefused(cron, "HTTP 404 not_found: no record for report-prod/never-created; "
                + "create it with POST /status/pipeline first");
    }

    @Test
    void unavailableAndDroppedAttemptsAreRetriedWithGrowingWaits() throws Exception {
        bench.proxy.plan(ANSWER_503, DROP);
        Result result = report(Map.of("GITOPS_STATUS_TOKEN", TOKEN), "--host", "retry-01");
        assertEquals(0, result.exit(), result.output());
        assertEquals(3, bench.proxy.requests().size(), result.output());
        assertTrue(result.err().contains("attempt 1 of 4 failed: HTTP 503 store_unavailable: "
                + "the proxy says the store is away; retrying in 1 s"), result.output());
        assertTrue(result.err().contains("attempt 2 of 4 failed: curl: (52)"), result.output());
        assertTrue(result.err().contains("retrying in 2 s"), result.output());
        assertTrue(result.millis() >= 3000, "waited 1 s, then 2 s: " + result.millis() + " ms");
        assertEquals("synced", bench.read("report-prod/retry-01").get("status").textValue());
    }

    @Test
    void timeoutsAreRetriedButA429IsNot() throws Exception {
        bench.proxy.plan(STALL);
        Result result = report(Map.of("GITOPS_STATUS_TOKEN", TOKEN), "--host", "retry-02", "--max-time", "1");
        assertEquals(0, result.exit(), result.output());
        assertEquals(2, bench.proxy.requests().size(), result.output());
        assertTrue(result.err().contains("curl: (28)"), result.output());

        bench.proxy.plan(ANSWER_429);
        Result limited = report(Map.of("GITOPS_STATUS_TOKEN", TOKEN), "--host", "retry-03");
        assertEquals(1, limited.exit(), limited.output());
        assertEquals(1, bench.proxy.requests().size(), "one request, no retry: " + limited.output());
        assertTrue(limited.err().contains("HTTP 429 too_many_requests: slow down"), limited.output());
    }

    @Test
    void givesUpAfterTheRetriesWithExitThree() throws Exception {
        bench.proxy.plan(ANSWER_503, ANSWER_503, ANSWER_503, ANSWER_503);
        Result unavailable = report(Map.of("GITOPS_STATUS_TOKEN", TOKEN), "--host", "lost-01", "--retries", "2");
        assertEquals(3, unavailable.exit(), unavailable.output());
        assertEquals(3, bench.proxy.requests().size(), "the first attempt and 2 retries");
        assertTrue(unavailable.err().contains("not delivered after 3 attempts: HTTP 503 store_unavailable: "
                + "the proxy says the store is away"), unavailable.output());
        assertEquals(404, bench.server.get("/status/report-prod/lost-01").statusCode());

        bench.proxy.plan(DROP, DROP, DROP);
        Result dropped = report(Map.of("GITOPS_STATUS_TOKEN", TOKEN), "--host", "lost-02", "--retries", "1");
        assertEquals(3, dropped.exit(), dropped.output());
        assertEquals(2, bench.proxy.requests().size());

        bench.proxy.plan(DROP);
        Result once = report(Map.of("GITOPS_STATUS_TOKEN", TOKEN), "--host", "lost-03", "--retries", "0");
        assertEquals(3, once.exit(), once.output());
        assertEquals(1, bench.proxy.requests().size(), "--retries 0: one attempt");
    }

    @Test
    void answersFromSomethingElseAreNamedAsSuch() throws Exception {
        bench.proxy.plan(ANSWER_FOREIGN_502, ANSWER_FOREIGN_200);
        Result result = report(Map.of("GITOPS_STATUS_TOKEN", TOKEN), "--host", "foreign-01", "--retries", "1");
        assertEquals(1, result.exit(), "a 200 that is not the service's is no stored write\n" + result.output());
        assertEquals(2, bench.proxy.requests().size(), "the 502 was retried");
        assertTrue(result.err().contains("HTTP 502, not an answer of gitops-status: <html><body>502 Bad Gateway"),
                result.output());
        assertTrue(result.err().contains("refused: HTTP 200, not an answer of gitops-status: <html><body>Welcome"),
                result.output());
    }

    @Test
    void anUnreachableServiceExitsThree() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        Result result = report(Map.of("GITOPS_STATUS_URL", "http://127.0.0.1:" + closedPort + "/gitops-status/"),
                "--host", "nowhere", "--retries", "1");
        assertEquals(3, result.exit(), result.output());
        assertTrue(result.err().contains("attempt 1 of 2 failed: curl: (7)"), result.output());
        assertTrue(result.err().contains("not delivered after 2 attempts: curl: (7)"), result.output());
    }

    /** A pipeline report of a synced server in report-prod; {@code args} add to or repeat options. */
    private static Result report(Map<String, String> env, String... args) throws Exception {
        List<String> all = new java.util.ArrayList<>(List.of("pipeline", "--server-group", "report-prod",
                "--status", "synced"));
        all.addAll(List.of(args));
        return bench.report(env, null, List.of(), all);
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            if (Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
                return true;
            }
        }
        return false;
    }

    private static void assertRefused(Result result, String message) {
        assertEquals(1, result.exit(), result.output());
        assertTrue(result.err().contains(message), "expected: " + message + "\n" + result.output());
        assertEquals(1, bench.proxy.requests().size(), "no retry after a 4xx\n" + result.output());
    }
}
