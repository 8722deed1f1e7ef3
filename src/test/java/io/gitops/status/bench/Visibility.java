package io.gitops.status.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.locks.LockSupport;

/**
 * Cross-replica visibility delay for {@code bench/stores.sh}: a pipeline write through replica A,
 * acknowledged, then replica B polled directly ({@code GET /status/<group>/<host>}, answered from its
 * records in memory) until it shows the write's unique {@code commit_sha}. The writes go to hosts
 * of their own ({@value #GROUP}/{@code probe-<n>}), which the benchmark's writers never touch (one of
 * theirs landing in between would hide the probe's), and that group is deleted at the end. The delay is from A's
 * acknowledgement to the end of B's first answer that shows it: what a client that was told its
 * write succeeded waits before the other replica shows it, an upper bound on the replication
 * itself by up to one poll. The poll's mean round trip is reported beside it, and how often the
 * first poll after the acknowledgement already showed the write (the delay then is that one poll).
 * Polls follow one another with {@value #POLL_GAP_MICROS} µs between them; samples are 20-70 ms
 * apart (random), so that they fall at every phase of the followers' 250 ms poll.
 *
 * <p>Usage: {@code Visibility <base URL of A> <base URL of B> <samples>}. A few samples first warm
 * the clients up, not counted.
 * Prints one line:
 * {@code VISIBILITY samples=... p50_ms=... p99_ms=... max_ms=... timeouts=... write_p50_ms=...
 * poll_mean_ms=... polls_per_sample=... first_poll_pct=...}.
 */
public final class Visibility {

    static final String GROUP = "bench-visibility";
    private static final int PROBES = 16;
    private static final long POLL_GAP_MICROS = 100;
    private static final int WARM_UP = 10;
    private static final long TIMEOUT_NANOS = 10_000_000_000L;

    private Visibility() {
    }

    public static void main(String[] args) throws Exception {
        URI a = URI.create(args[0].replaceAll("/+$", ""));
        URI b = URI.create(args[1].replaceAll("/+$", ""));
        int samples = Integer.parseInt(args[2]);
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        SplittableRandom random = new SplittableRandom();
        String run = Long.toString(System.currentTimeMillis(), 36);
        double[] delays = new double[samples];
        double[] writes = new double[samples];
        long polls = 0;
        long pollNanos = 0;
        int done = 0;
        int timeouts = 0;
        int atFirstPoll = 0;
        for (int i = -WARM_UP; i < samples; i++) {
            String group = GROUP;
            String host = "probe-" + Math.floorMod(i, PROBES);
            String sha = "vis" + run + "x" + (i + WARM_UP);
            String body = "{\"project_name\":\"gitops-for-servers\",\"repo_name\":\"rsyslog\",\"server_group\":\""
                    + group + "\",\"server_type\":\"rsyslog\",\"environment\":\"prod\",\"host\":\"" + host
                    + "\",\"status\":\"synced\",\"changed_files\":[],\"commit_sha\":\"" + sha
                    + "\",\"branch\":\"master\",\"updated_by\":\"visibility\"}";
            HttpRequest post = HttpRequest.newBuilder(a.resolve(a.getPath() + "/status/pipeline"))
                    .timeout(Duration.ofSeconds(60)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build();
            HttpRequest get = HttpRequest.newBuilder(b.resolve(b.getPath() + "/status/" + group + "/" + host))
                    .timeout(Duration.ofSeconds(60)).GET().build();
            long sent = System.nanoTime();
            HttpResponse<String> written = client.send(post, HttpResponse.BodyHandlers.ofString());
            long acknowledged = System.nanoTime();
            if (written.statusCode() / 100 != 2) {
                throw new IOException("the write through A answered " + written.statusCode() + ": " + written.body());
            }
            long seen = -1;
            long samplePolls = 0;
            long samplePollNanos = 0;
            while (System.nanoTime() - acknowledged < TIMEOUT_NANOS) {
                long pollStart = System.nanoTime();
                HttpResponse<String> read = client.send(get, HttpResponse.BodyHandlers.ofString());
                long pollEnd = System.nanoTime();
                samplePolls++;
                samplePollNanos += pollEnd - pollStart;
                if (read.statusCode() == 200 && read.body().contains(sha)) {
                    seen = pollEnd;
                    break;
                }
                LockSupport.parkNanos(POLL_GAP_MICROS * 1_000);
            }
            if (i >= 0) {
                polls += samplePolls;
                pollNanos += samplePollNanos;
                if (seen < 0) {
                    timeouts++;
                } else {
                    delays[done] = (seen - acknowledged) / 1e6;
                    atFirstPoll += samplePolls == 1 ? 1 : 0;
                    writes[done] = (acknowledged - sent) / 1e6;
                    done++;
                }
            }
            Thread.sleep(20 + random.nextInt(51));
        }
        HttpRequest cleanUp = HttpRequest.newBuilder(a.resolve(a.getPath() + "/status/" + GROUP))
                .timeout(Duration.ofSeconds(60)).DELETE().build();
        int deleted = client.send(cleanUp, HttpResponse.BodyHandlers.discarding()).statusCode();
        if (deleted / 100 != 2) {
            throw new IOException("DELETE /status/" + GROUP + " through A answered " + deleted);
        }
        double[] d = Arrays.copyOf(delays, done);
        double[] w = Arrays.copyOf(writes, done);
        Arrays.sort(d);
        Arrays.sort(w);
        double max = done == 0 ? Double.NaN : d[done - 1];
        double pollMean = polls == 0 ? Double.NaN : pollNanos / 1e6 / polls;
        System.out.printf(Locale.ROOT, "VISIBILITY samples=%d p50_ms=%.2f p99_ms=%.2f max_ms=%.2f timeouts=%d"
                + " write_p50_ms=%.2f poll_mean_ms=%.2f polls_per_sample=%.1f first_poll_pct=%.0f%n", done,
                percentile(d, 50), percentile(d, 99), max, timeouts, percentile(w, 50), pollMean,
                (double) polls / samples, done == 0 ? Double.NaN : 100.0 * atFirstPoll / done);
    }

    /** The nearest-rank percentile of sorted values. */
    private static double percentile(double[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p / 100 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length, rank) - 1)];
    }
}
