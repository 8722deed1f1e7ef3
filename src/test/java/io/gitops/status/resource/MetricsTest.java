package io.gitops.status.resource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gitops.status.metrics.Promtool;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /metrics}: the Prometheus text format, checked by Prometheus's own parser
 * ({@code promtool check metrics}), and the values of every series checked against what was written.
 */
class MetricsTest extends ApiTestSupport {

    /** {@code name{labels} value}, labels as written. */
    private static final Pattern SAMPLE = Pattern.compile("^([a-z_]+)(\\{.*\\})? (\\S+)$");

    @Test
    void everyHostAndTheStoreCountersInTheTextFormatPromtoolAccepts() {
        String now = Instant.now().toString();
        pipelineOk("""
                {"server_group": "web", "host": "w1", "status": "synced", "environment": "prod",
                 "server_type": "nginx", "last_pipeline_run": "2026-04-26T10:30:00Z"}""");
        cronOk("{\"server_group\": \"web\", \"host\": \"w1\", \"status\": \"out_of_sync\", \"changed_files\": [\"/a\", \"/b\"],"
                + " \"last_cron_check\": \"2026-04-26T11:00:00Z\"}");
        // Label values that the format must escape: quote, backslash, newline.
        pipelineOk("""
                {"server_group": "db", "host": "d1", "status": "failed", "environment": "say \\"hi\\" \\\\ there\\nnext",
                 "last_pipeline_run": "%s"}""".formatted(now));

        Answer a = get("metrics");
        assertEquals(200, a.status(), a.body());
        assertTrue(a.contentType().startsWith("text/plain"), a.contentType());
        assertTrue(a.contentType().replace(" ", "").contains("version=0.0.4"), a.contentType());
        Promtool.assertValid(a.body());

        Map<String, String> samples = samples(a.body());
        assertEquals("1", samples.get(
                "gitops_status{server_group=\"web\",host=\"w1\",status=\"out_of_sync\",environment=\"prod\",server_type=\"nginx\"}"));
        assertEquals("1", samples.get("gitops_status{server_group=\"db\",host=\"d1\",status=\"failed\","
                + "environment=\"say \\\"hi\\\" \\\\ there\\nnext\",server_type=\"\"}"));
        assertEquals(2, samples.keySet().stream().filter(k -> k.startsWith("gitops_status{")).count(),
                "one gitops_status series per host");
        assertEquals("2", samples.get("gitops_changed_files{server_group=\"web\",host=\"w1\"}"));
        assertEquals("0", samples.get("gitops_changed_files{server_group=\"db\",host=\"d1\"}"));
        assertEquals(String.valueOf(Instant.parse("2026-04-26T11:00:00Z").getEpochSecond()),
                samples.get("gitops_last_seen_timestamp_seconds{server_group=\"web\",host=\"w1\"}"));
        assertEquals("1", samples.get("gitops_stale{server_group=\"web\",host=\"w1\"}"), "checked in April");
        assertEquals("0", samples.get("gitops_stale{server_group=\"db\",host=\"d1\"}"), "no drift checks");
        assertEquals("0", samples.get("gitops_hosts{status=\"synced\"}"));
        assertEquals("1", samples.get("gitops_hosts{status=\"out_of_sync\"}"));
        assertEquals("1", samples.get("gitops_hosts{status=\"failed\"}"));
        assertEquals("0", samples.get("gitops_hosts{status=\"unknown\"}"));
        assertEquals("1", samples.get("gitops_hosts_stale"));

        assertEquals("3", samples.get("gitops_store_writes_total"));
        long batches = Long.parseLong(samples.get("gitops_store_batches_total"));
        assertTrue(batches >= 1 && batches <= 3, "batches " + batches);
        assertEquals("3", samples.get("gitops_store_write_duration_seconds_count"));
        assertEquals("3", samples.get("gitops_store_write_duration_seconds_bucket{le=\"+Inf\"}"));
        assertTrue(Double.parseDouble(samples.get("gitops_store_write_duration_seconds_sum")) > 0);
        if (onPostgres()) {
            // No data file, no journal: their gauges are left out rather than answered as -1.
            assertFalse(samples.containsKey("gitops_store_journal_bytes"), a.body());
            assertFalse(samples.containsKey("gitops_store_snapshot_bytes"), a.body());
            assertFalse(a.body().contains("gitops_store_journal_bytes"), "no HELP or TYPE either");
            assertFalse(a.body().contains("gitops_store_snapshot_bytes"), "no HELP or TYPE either");
        } else {
            assertTrue(Long.parseLong(samples.get("gitops_store_journal_bytes")) > 0, "three writes in the journal");
            assertTrue(samples.containsKey("gitops_store_snapshot_bytes"));
        }
    }

    @Test
    void histogramBucketsAreCumulativeAndCountEveryWrite() {
        for (int i = 0; i < 25; i++) {
            pipelineOk("{\"server_group\": \"g\", \"host\": \"h" + i + "\", \"status\": \"synced\"}");
        }
        Map<String, String> samples = samples(get("metrics").body());
        long previous = 0;
        int buckets = 0;
        for (Map.Entry<String, String> sample : samples.entrySet()) {
            if (sample.getKey().startsWith("gitops_store_write_duration_seconds_bucket")) {
                long count = Long.parseLong(sample.getValue());
                assertTrue(count >= previous, "buckets must not decrease: " + sample);
                previous = count;
                buckets++;
            }
        }
        assertTrue(buckets > 5, "buckets: " + buckets);
        assertEquals(25, previous, "the +Inf bucket counts every write");
        assertEquals("25", samples.get("gitops_store_writes_total"));
    }

    @Test
    void anEmptyStoreStillAnswersValidMetricsWithZeroTotals() {
        Answer a = get("metrics");
        assertEquals(200, a.status());
        Promtool.assertValid(a.body());
        Map<String, String> samples = samples(a.body());
        for (String status : List.of("synced", "out_of_sync", "failed", "unknown")) {
            assertEquals("0", samples.get("gitops_hosts{status=\"" + status + "\"}"), status);
        }
        assertFalse(a.body().contains("gitops_status{"), a.body());
    }

    /** Every sample line, by name and labels as written, in order. */
    private static Map<String, String> samples(String text) {
        Map<String, String> samples = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            Matcher m = SAMPLE.matcher(line);
            assertTrue(m.matches(), "not a sample line: " + line);
            String key = m.group(1) + (m.group(2) == null ? "" : m.group(2));
            assertFalse(samples.containsKey(key), "series written twice: " + key);
            samples.put(key, m.group(3));
        }
        return samples;
    }
}
