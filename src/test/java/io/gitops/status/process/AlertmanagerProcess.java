package io.gitops.status.process;

import com.fasterxml.jackson.databind.JsonNode;
import io.gitops.status.json.Json;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Prometheus Alertmanager (Debian's {@code prometheus-alertmanager}) as a child process for the
 * tests: on loopback, on a free port, gossip off ({@code --cluster.listen-address=}), its state in
 * a folder of the test, one route grouping by {@code server_group} to one webhook with
 * {@code send_resolved}. {@link #close()} stops it (SIGTERM, then SIGKILL).
 */
final class AlertmanagerProcess implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final List<String> NAMES = List.of("prometheus-alertmanager", "alertmanager");

    private final Process process;
    private final URI base;
    private final Path log;

    private AlertmanagerProcess(Process process, int port, Path log) {
        this.process = process;
        this.base = URI.create("http://127.0.0.1:" + port);
        this.log = log;
    }

    /** Alertmanager's binary: Debian's, else one on the PATH; {@code null} when there is none. */
    static Path findOrNull() {
        Stream<Path> candidates = Stream.concat(Stream.of(Path.of("/usr/bin/prometheus-alertmanager")),
                NAMES.stream().map(ReportScript::findOrNull).filter(p -> p != null));
        return candidates.filter(Files::isExecutable).findFirst().orElse(null);
    }

    /**
     * Starts {@code binary} with its files in {@code dir}, routing every alert to {@code webhook}:
     * grouped by {@code server_group}, {@code group_wait} and {@code group_interval} 1 s, and
     * {@code resolveTimeout} for the alerts sent without {@code endsAt}.
     */
    static AlertmanagerProcess start(Path binary, Path dir, URI webhook, Duration resolveTimeout)
            throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Path config = Files.writeString(dir.resolve("alertmanager.yml"), """
                global:
                  resolve_timeout: %ds
                route:
                  receiver: test
                  group_by: [server_group]
                  group_wait: 1s
                  group_interval: 1s
                  repeat_interval: 1h
                receivers:
                  - name: test
                    webhook_configs:
                      - url: "%s"
                        send_resolved: true
                """.formatted(resolveTimeout.toSeconds(), webhook));
        Path log = dir.resolve("alertmanager.log");
        IOException last = null;
        for (int tryNo = 0; tryNo < 3; tryNo++) { // the free port may be taken between its choice and the bind
            int port = freePort();
            Process process = new ProcessBuilder(binary.toString(),
                    "--web.listen-address=127.0.0.1:" + port,
                    "--cluster.listen-address=",
                    "--storage.path=" + dir.resolve("data"),
                    "--config.file=" + config)
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            AlertmanagerProcess alertmanager = new AlertmanagerProcess(process, port, log);
            try {
                alertmanager.awaitReady(Duration.ofSeconds(30));
                return alertmanager;
            } catch (IOException e) {
                last = e;
                alertmanager.close();
            }
        }
        throw last;
    }

    /** A port free on loopback now, never Alertmanager's usual 9093/9094 (a system one may come up there). */
    private static int freePort() throws IOException {
        while (true) {
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                int port = socket.getLocalPort();
                if (port != 9093 && port != 9094) {
                    return port;
                }
            }
        }
    }

    private void awaitReady(Duration within) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("Alertmanager exited with " + process.exitValue() + ":\n" + logTail());
            }
            try {
                HttpResponse<String> ready = HTTP.send(HttpRequest.newBuilder(base.resolve("/-/ready"))
                        .timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.ofString());
                if (ready.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new IOException("Alertmanager not ready within " + within + ":\n" + logTail());
    }

    URI base() {
        return base;
    }

    /** {@code GET /api/v2/alerts} with the given label matchers ({@code host="a"}): the alerts it still holds open. */
    JsonNode alerts(String... matchers) throws IOException, InterruptedException {
        StringBuilder query = new StringBuilder("/api/v2/alerts");
        for (int i = 0; i < matchers.length; i++) {
            query.append(i == 0 ? '?' : '&').append("filter=")
                    .append(URLEncoder.encode(matchers[i], StandardCharsets.UTF_8));
        }
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(base.resolve(query.toString()))
                .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("GET " + query + ": HTTP " + response.statusCode() + ": " + response.body());
        }
        return Json.mapper().readTree(response.body());
    }

    /** The last lines of Alertmanager's output, for a failure's message. */
    String logTail() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
        }
    }
}
