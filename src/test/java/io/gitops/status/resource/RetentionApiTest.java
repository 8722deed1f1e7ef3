package io.gitops.status.resource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.gitops.status.api.StatusRecord;
import io.gitops.status.config.AppConfig;
import io.gitops.status.app.Retention;
import io.gitops.status.store.StatusStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 5, item 6 (retention): with a retention period set, hosts not seen for longer are removed
 * by the application on its own, at start and then periodically, durably, and logged with each
 * host's key. The period here is 20 seconds, so that the sweeper runs every 2 seconds (a tenth of
 * the period; with one hour it would run every minute): a host last seen in 2020 goes within
 * seconds, one seen now stays for the length of a test. The one-hour rule itself, with a fixed
 * clock, is {@code io.gitops.status.app.RetentionTest}.
 */
class RetentionApiTest extends ApiTestSupport {

    private static final Duration RETAIN_FOR = Duration.ofSeconds(20);
    /** A sweep every 2 s: a host that has expired must be gone well within this. */
    private static final Duration GONE_WITHIN = Duration.ofSeconds(8);

    private final List<String> logged = Collections.synchronizedList(new ArrayList<>());
    private final Logger retentionLog = Logger.getLogger(Retention.class.getName());
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            logged.add(record.getMessage());
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @Override
    protected AppConfig config(AppConfig defaults) {
        return defaults.withRetainFor(RETAIN_FOR);
    }

    /** Before start: seed/ancient, last seen in 2019, and seed/recent, checked when the test began. */
    @Override
    protected byte[] initialDataFile() {
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        return ("{\"version\":\"2.0\",\"servers\":{"
                + "\"seed/ancient\":{\"server_group\":\"seed\",\"host\":\"ancient\",\"status\":\"synced\","
                + "\"changed_files\":[],\"labels\":{},\"last_pipeline_run\":\"2019-06-01T00:00:00Z\","
                + "\"last_cron_check\":\"2019-06-02T00:00:00Z\",\"timestamp\":\"2019-06-02T00:00:00Z\"},"
                + "\"seed/recent\":{\"server_group\":\"seed\",\"host\":\"recent\",\"status\":\"synced\","
                + "\"changed_files\":[],\"labels\":{},\"last_pipeline_run\":\"2019-06-01T00:00:00Z\","
                + "\"last_cron_check\":\"" + now + "\",\"timestamp\":\"" + now + "\"}"
                + "}}").getBytes(StandardCharsets.UTF_8);
    }

    @BeforeEach
    void captureLog() {
        retentionLog.addHandler(capture);
    }

    @AfterEach
    void releaseLog() {
        retentionLog.removeHandler(capture);
    }

    private void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + GONE_WITHIN.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail(what + " did not happen within " + GONE_WITHIN + "; hosts: " + keys("status"));
            }
            TimeUnit.MILLISECONDS.sleep(50);
        }
    }

    private List<String> keys(String path) {
        List<String> keys = new ArrayList<>();
        get(path).json().forEach(row -> keys.add(row.get("server_group").textValue() + "/"
                + row.get("host").textValue()));
        return keys;
    }

    private boolean gone(String group, String host) {
        Answer a = get("status/" + group + "/" + host);
        if (a.status() == 200) {
            return false;
        }
        assertError(a, 404, "not_found", null);
        return true;
    }

    private boolean loggedKey(String key) {
        synchronized (logged) {
            return logged.stream().anyMatch(message -> message.contains(key));
        }
    }

    @Test
    void hostsNotSeenWithinThePeriodAreRemovedOnTheirOwnAndLogged() throws InterruptedException {
        String now = Instant.now().toString();
        // Fresh in one way or another: last_seen is the latest of the two timestamps.
        pipelineOk("{\"server_group\":\"lab\",\"host\":\"fresh\",\"status\":\"synced\"}");
        pipelineOk("{\"server_group\":\"lab\",\"host\":\"cron-fresh\",\"status\":\"synced\","
                + "\"last_pipeline_run\":\"2020-01-01T00:00:00Z\"}");
        cronOk("{\"server_group\":\"lab\",\"host\":\"cron-fresh\",\"last_cron_check\":" + q(now) + "}");
        pipelineOk("{\"server_group\":\"lab\",\"host\":\"pipeline-fresh\",\"status\":\"synced\","
                + "\"last_pipeline_run\":" + q(now) + "}");
        cronOk("{\"server_group\":\"lab\",\"host\":\"pipeline-fresh\",\"last_cron_check\":\"2020-01-01T00:00:00Z\"}");
        // Last seen in 2020, no drift check.
        Answer created = pipeline("{\"server_group\":\"lab\",\"host\":\"old\",\"status\":\"synced\","
                + "\"last_pipeline_run\":\"2020-01-01T00:00:00Z\"}");
        assertEquals(200, created.status(), created.body());
        assertEquals("created", created.json().get("result").textValue());

        await("removal of lab/old", () -> gone("lab", "old"));
        // The sweep that removed it judged the others too: they are all still there.
        assertEquals(List.of("lab/cron-fresh", "lab/fresh", "lab/pipeline-fresh"),
                keys("status/lab"));
        await("the log line naming lab/old", () -> loggedKey("lab/old"));
        assertTrue(logged.stream().noneMatch(m -> m.contains("lab/fresh") || m.contains("lab/cron-fresh")
                || m.contains("lab/pipeline-fresh")), logged.toString());

        // Durable: another store on the same files (or database) no longer has it.
        try (StatusStore reopened = reopenStore()) {
            assertEquals(List.of("lab/cron-fresh", "lab/fresh", "lab/pipeline-fresh", "seed/recent"),
                    reopened.all().stream().map(StatusRecord::key).toList());
        }

        // It may report again: created anew, and it stays while it is seen.
        Answer again = pipeline("{\"server_group\":\"lab\",\"host\":\"old\",\"status\":\"synced\"}");
        assertEquals("created", again.json().get("result").textValue(), again.body());
        TimeUnit.MILLISECONDS.sleep(2500); // at least one more sweep
        assertEquals(List.of("lab/cron-fresh", "lab/fresh", "lab/old", "lab/pipeline-fresh"), keys("status/lab"));
    }

    @Test
    void aHostAlreadyExpiredInTheDataFileIsRemovedWhenTheApplicationStarts() throws InterruptedException {
        await("removal of seed/ancient", () -> gone("seed", "ancient"));
        assertEquals(List.of("seed/recent"), keys("status"));
        assertTrue(Instant.now().isBefore(Instant.parse(get("status/seed/recent").json().get("last_seen").textValue())
                .plus(RETAIN_FOR)), "seed/recent is still within the period");
    }
}
