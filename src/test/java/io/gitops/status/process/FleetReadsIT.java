package io.gitops.status.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gitops.status.store.FleetData;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reads at fleet scale stay bounded: the application in its own JVM with a small heap, a fleet
 * with full history (20,000 hosts x 20 transitions under 160 MB: the proportions of 100,000 hosts
 * under the kit's 512 MB), eight threads each repeating one unfiltered heavy read (half of them
 * gzipped) while another thread keeps writing. No read may answer 5xx, every write must be
 * acknowledged, the server must not run out of memory; then a walk through every event by the
 * Link headers finds each exactly once.
 */
class FleetReadsIT {

    private static final int HOSTS = 20_000;
    private static final int HISTORY = 20;
    private static final Duration LOAD = Duration.ofSeconds(25);
    private static final List<String> HEAVY = List.of("/status", "/status/files", "/status/summary", "/metrics",
            "/events?limit=10000", "/api/status", "/status?stale=true", "/status/bench-3");
    private static final Pattern NEXT = Pattern.compile("<([^>]*)>;\\s*rel=\"next\"");

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dir;

    @Test
    void eightHeavyReadersNeverFailNorStopTheWrites() throws Exception {
        Path data = dir.resolve("status.json");
        FleetData.main(new String[] {String.valueOf(HOSTS), String.valueOf(HISTORY), data.toString()});
        Path log = dir.resolve("server.log");
        try (ServerProcess server = ServerProcess.start(data, log, List.of("-Xmx160m"))) {
            long deadline = System.nanoTime() + LOAD.toNanos();
            Map<String, AtomicInteger> reads = new ConcurrentHashMap<>();
            List<String> failures = new CopyOnWriteArrayList<>();
            AtomicInteger writes = new AtomicInteger();
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < HEAVY.size(); i++) {
                String path = HEAVY.get(i);
                boolean gzip = i % 2 == 0;
                threads.add(started(() -> {
                    while (System.nanoTime() < deadline && failures.isEmpty()) {
                        int status = read(server.base(), path, gzip, failures);
                        if (status != 200) {
                            failures.add(path + " answered " + status);
                        }
                        reads.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
                    }
                }));
            }
            Thread writer = started(() -> {
                for (int n = 0; System.nanoTime() < deadline && failures.isEmpty(); n++) {
                    try {
                        HttpResponse<String> written = server.post("/status/pipeline", "{\"server_group\":\"load\","
                                + "\"host\":\"w-" + n + "\",\"status\":\"synced\"}");
                        if (written.statusCode() != 200) {
                            failures.add("write " + n + " answered " + written.statusCode() + " " + written.body());
                        }
                        writes.incrementAndGet();
                        Thread.sleep(50);
                    } catch (IOException | InterruptedException e) {
                        failures.add("write " + n + " failed: " + e);
                    }
                }
            });
            for (Thread thread : threads) {
                thread.join();
            }
            writer.join();
            System.out.println("FleetReadsIT reads " + reads + ", writes " + writes);
            assertEquals(List.of(), failures);
            assertEquals(HEAVY.size(), reads.size(), "every heavy read answered at least once: " + reads);
            assertTrue(writes.get() >= 20, "writes kept being acknowledged: " + writes);

            long started = System.nanoTime();
            assertEquals(HOSTS * HISTORY + writes.get(), walk(server.base()), "every event once");
            System.out.printf("FleetReadsIT walk of %d events in %.1f s%n", HOSTS * HISTORY + writes.get(),
                    (System.nanoTime() - started) / 1e9);
        }
        String serverLog = Files.readString(log);
        assertFalse(serverLog.contains("OutOfMemoryError"), serverLog.lines().filter(l -> l.contains("Error"))
                .limit(20).toList().toString());
    }

    private static Thread started(Runnable body) {
        Thread thread = new Thread(body);
        thread.start();
        return thread;
    }

    /** One read, its body read and dropped; the status, or 599 when the request failed. */
    private int read(URI base, String path, boolean gzip, List<String> failures) {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(60));
        if (gzip) {
            request.header("Accept-Encoding", "gzip");
        }
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException | InterruptedException e) {
            failures.add(path + " failed: " + e);
            return 599;
        }
    }

    /** The events counted by a walk following Link rel="next", checking they come oldest first. */
    private long walk(URI base) throws IOException, InterruptedException {
        long rows = 0;
        Instant last = Instant.MIN;
        URI page = base.resolve("/events?limit=10000");
        Pattern at = Pattern.compile("\"at\":\"([^\"]+)\"");
        while (page != null) {
            HttpResponse<String> answer = http.send(HttpRequest.newBuilder(page).timeout(Duration.ofSeconds(60))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, answer.statusCode(), answer.body());
            Matcher times = at.matcher(answer.body());
            while (times.find()) {
                Instant time = Instant.parse(times.group(1));
                assertFalse(time.isBefore(last), time + " after " + last);
                last = time;
                rows++;
            }
            String link = answer.headers().firstValue("Link").orElse(null);
            Matcher next = link == null ? null : NEXT.matcher(link);
            page = next != null && next.matches() ? URI.create(next.group(1)) : null;
        }
        return rows;
    }
}
