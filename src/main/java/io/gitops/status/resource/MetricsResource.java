package io.gitops.status.resource;

import io.gitops.status.api.GroupSummary;
import io.gitops.status.api.Staleness;
import io.gitops.status.api.StatusRecord;
import io.gitops.status.api.Timestamps;
import io.gitops.status.store.LatencyHistogram;
import io.gitops.status.notify.NotificationStatus;
import io.gitops.status.store.StatusStore;
import io.gitops.status.update.BodyFields;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /metrics}: every host and the store's own counters in the Prometheus text format
 * (0.0.4), so that alerts need no dashboard: {@code gitops_stale == 1}, {@code gitops_status{status="failed"}}.
 */
@Singleton
@Path("metrics")
public final class MetricsResource {

    static final String TEXT_FORMAT = "text/plain; version=0.0.4; charset=utf-8";
    /** The longest label value written; see {@link #cut}. */
    static final int MAX_LABEL_CHARS = 128;

    private final StatusStore store;
    private final Staleness staleness;
    private final NotificationStatus notifications;

    @Inject
    public MetricsResource(StatusStore store, Staleness staleness, NotificationStatus notifications) {
        this.store = store;
        this.staleness = staleness;
        this.notifications = notifications;
    }

    @GET
    @Produces({TEXT_FORMAT, "text/plain"})
    public Response metrics() {
        List<StatusRecord> records = store.all();
        StatusStore.Stats stats = store.stats();
        Map<String, Map<String, Long>> notified = notifications.counts();
        Instant now = staleness.now();
        StreamingOutput body = out -> {
            Writer writer = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 64 * 1024);
            write(new Exposition(writer), records, stats, now);
            write(new Exposition(writer), notified);
            writer.flush();
        };
        return Response.ok(body, TEXT_FORMAT).build();
    }

    private void write(Exposition out, List<StatusRecord> records, StatusStore.Stats stats, Instant now)
            throws IOException {
        out.family("gitops_status", "gauge", "One series per host, value 1; the host's status is the status label.");
        for (StatusRecord r : records) {
            out.sample("gitops_status", 1, "server_group", r.serverGroup(), "host", r.host(), "status", r.status(),
                    "environment", r.environment(), "server_type", r.serverType());
        }
        out.family("gitops_changed_files", "gauge", "Files the host's last report found changed.");
        for (StatusRecord r : records) {
            out.sample("gitops_changed_files", r.changedFilesCount(), "server_group", r.serverGroup(), "host", r.host());
        }
        out.family("gitops_last_seen_timestamp_seconds", "gauge",
                "Latest of the host's last pipeline run and last drift check, in seconds since the epoch.");
        for (StatusRecord r : records) {
            Instant lastSeen = Timestamps.instant(r.lastSeen());
            if (lastSeen != null) {
                out.sample("gitops_last_seen_timestamp_seconds", lastSeen.toEpochMilli() / 1000.0,
                        "server_group", r.serverGroup(), "host", r.host());
            }
        }
        out.family("gitops_stale", "gauge", "1 when the host's last drift check is older than "
                + staleness.threshold() + ", else 0.");
        GroupSummary totals = new GroupSummary(GroupSummary.ALL_GROUPS, BodyFields.STATUSES);
        for (StatusRecord r : records) {
            boolean isStale = staleness.isStale(r, now);
            totals.add(r, isStale);
            out.sample("gitops_stale", isStale ? 1 : 0, "server_group", r.serverGroup(), "host", r.host());
        }
        out.family("gitops_hosts", "gauge", "Hosts per status, as GET /status/summary counts them.");
        for (String status : BodyFields.STATUSES) {
            out.sample("gitops_hosts", totals.count(status), "status", status);
        }
        out.family("gitops_hosts_stale", "gauge", "Hosts whose last drift check is older than the stale threshold.");
        out.sample("gitops_hosts_stale", totals.stale());

        out.family("gitops_store_writes_total", "counter", "Writes this process acknowledged.");
        out.sample("gitops_store_writes_total", stats.writes());
        out.family("gitops_store_batches_total", "counter",
                "Journal appends of this process, each making a group of writes durable with one sync.");
        out.sample("gitops_store_batches_total", stats.batches());
        LatencyHistogram.Snapshot latency = stats.latency();
        out.family("gitops_store_write_duration_seconds", "histogram",
                "Time from a write's call to its acknowledgement, durable on disk.");
        for (int i = 0; i < latency.bounds().length; i++) {
            out.sample("gitops_store_write_duration_seconds_bucket", latency.cumulative()[i],
                    "le", BigDecimal.valueOf(latency.bounds()[i]).stripTrailingZeros().toPlainString());
        }
        out.sample("gitops_store_write_duration_seconds_bucket", latency.count(), "le", "+Inf");
        out.sample("gitops_store_write_duration_seconds_sum", latency.sumSeconds());
        out.sample("gitops_store_write_duration_seconds_count", latency.count());
        if (stats.dataFileBytes() >= 0) { // the file store's files; the PostgreSQL store has none
            out.family("gitops_store_snapshot_bytes", "gauge", "Size of the data file as last written or read.");
            out.sample("gitops_store_snapshot_bytes", stats.dataFileBytes());
            out.family("gitops_store_journal_bytes", "gauge", "Size of the journal not yet folded into the data file.");
            out.sample("gitops_store_journal_bytes", stats.journalBytes());
        }
    }

    private static void write(Exposition out, Map<String, Map<String, Long>> notified) throws IOException {
        if (notified.isEmpty()) {
            return; // no rules file
        }
        out.family("gitops_notifications_total", "counter", "Notification deliveries of this process per receiver:"
                + " sent, failed (a try that failed; retried unless it was the last), dead (dead-lettered).");
        for (Map.Entry<String, Map<String, Long>> receiver : notified.entrySet()) {
            for (Map.Entry<String, Long> state : receiver.getValue().entrySet()) {
                out.sample("gitops_notifications_total", state.getValue(), "receiver", receiver.getKey(),
                        "state", state.getKey());
            }
        }
    }

    /**
     * A label value of at most {@value #MAX_LABEL_CHARS} characters: label values come from
     * free-text fields (server group, host, environment, server type, status as stored), and
     * one host with a long value must not blow up every scrape. A longer value keeps its first
     * characters, then {@code ~} and the 8 hex digits of its {@link String#hashCode} (the same in
     * every JVM), so that two long values sharing a prefix stay two series.
     */
    static String cut(String value) {
        if (value.length() <= MAX_LABEL_CHARS) {
            return value;
        }
        int keep = MAX_LABEL_CHARS - 9;
        if (Character.isHighSurrogate(value.charAt(keep - 1))) {
            keep--; // never split a character in two
        }
        return value.substring(0, keep) + "~" + String.format("%08x", value.hashCode());
    }

    /** The text format's lines, with label values escaped as the format requires. */
    private record Exposition(Writer out) {

        void family(String name, String type, String help) throws IOException {
            out.write("# HELP " + name + " " + help.replace("\\", "\\\\").replace("\n", "\\n") + "\n");
            out.write("# TYPE " + name + " " + type + "\n");
        }

        /** A sample; {@code labels} are name, value pairs, a {@code null} value written as empty. */
        void sample(String name, double value, String... labels) throws IOException {
            out.write(name);
            if (labels.length > 0) {
                out.write('{');
                for (int i = 0; i < labels.length; i += 2) {
                    if (i > 0) {
                        out.write(',');
                    }
                    out.write(labels[i]);
                    out.write("=\"");
                    out.write(escape(labels[i + 1]));
                    out.write('"');
                }
                out.write('}');
            }
            out.write(' ');
            out.write(value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value)
                    : Double.toString(value));
            out.write('\n');
        }

        private static String escape(String value) {
            if (value == null) {
                return "";
            }
            return cut(value).replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
        }
    }
}
