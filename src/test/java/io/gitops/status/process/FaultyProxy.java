package io.gitops.status.process;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A small HTTP/1.1 reverse proxy in front of a server, one request per connection, that answers
 * each request as planned: forwards it, answers 503, 429 or a foreign 502/200 itself, drops the
 * connection without an answer, or never answers. Every request is recorded (method, path,
 * headers, body), so a test can count the attempts a client made and see what it sent.
 *
 * <p>Thread safety: the plan and the record are guarded by the instance; one thread accepts, one
 * thread per connection answers.
 */
final class FaultyProxy implements AutoCloseable {

    /** What the proxy does with one request. */
    enum Fault {
        FORWARD, ANSWER_503, ANSWER_429, ANSWER_FOREIGN_502, ANSWER_FOREIGN_200, DROP, STALL
    }

    /** A request as the proxy received it; header names in lower case, the body's bytes as sent. */
    record Request(String method, String path, Map<String, String> headers, byte[] bytes) {

        String body() {
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private final URI target;
    private final ServerSocket socket;
    private final Deque<Fault> plan = new ArrayDeque<>();
    private final List<Request> requests = new ArrayList<>();
    private final List<String> answers = new ArrayList<>();
    private final List<Socket> stalled = new ArrayList<>();

    FaultyProxy(URI target) throws IOException {
        this.target = target;
        this.socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "faulty-proxy");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    URI base() {
        return URI.create("http://127.0.0.1:" + socket.getLocalPort());
    }

    /** The next requests meet these faults, in order; every later one is forwarded. Clears the record. */
    synchronized void plan(Fault... faults) {
        plan.clear();
        plan.addAll(List.of(faults));
        requests.clear();
        answers.clear();
    }

    synchronized List<Request> requests() {
        return List.copyOf(requests);
    }

    /** The bodies of the server's answers to the forwarded requests, in order. */
    synchronized List<String> answers() {
        return List.copyOf(answers);
    }

    private synchronized Fault next(Request request) {
        requests.add(request);
        return plan.isEmpty() ? Fault.FORWARD : plan.removeFirst();
    }

    private void accept() {
        while (!socket.isClosed()) {
            try {
                Socket connection = socket.accept();
                Thread handler = new Thread(() -> handle(connection), "faulty-proxy-connection");
                handler.setDaemon(true);
                handler.start();
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void handle(Socket connection) {
        try {
            Request request = read(connection);
            switch (next(request)) {
                case FORWARD -> forward(request, connection.getOutputStream());
                case ANSWER_503 -> answer(connection.getOutputStream(), 503, "application/json",
                        "{\"error\":\"store_unavailable\",\"message\":\"the proxy says the store is away\"}");
                case ANSWER_429 -> answer(connection.getOutputStream(), 429, "application/json",
                        "{\"error\":\"too_many_requests\",\"message\":\"slow down\"}");
                case ANSWER_FOREIGN_502 -> answer(connection.getOutputStream(), 502, "text/html",
                        "<html><body>502 Bad Gateway</body></html>\n");
                case ANSWER_FOREIGN_200 -> answer(connection.getOutputStream(), 200, "text/html",
                        "<html><body>Welcome to nginx!</body></html>\n");
                case DROP -> { } // closed below without a byte of answer
                case STALL -> {
                    synchronized (this) {
                        stalled.add(connection);
                    }
                    return; // left open, unanswered, until close()
                }
            }
            connection.close();
        } catch (IOException | InterruptedException e) {
            closeQuietly(connection);
        }
    }

    private void forward(Request request, OutputStream out) throws IOException, InterruptedException {
        HttpRequest.Builder builder = HttpRequest.newBuilder(target.resolve(request.path()))
                .timeout(Duration.ofSeconds(30))
                .method(request.method(), HttpRequest.BodyPublishers.ofByteArray(request.bytes()));
        for (String name : List.of("content-type", "authorization", "accept", "user-agent")) {
            if (request.headers().containsKey(name)) {
                builder.header(name, request.headers().get(name));
            }
        }
        HttpResponse<byte[]> response = HTTP.send(builder.build(), HttpResponse.BodyHandlers.ofByteArray());
        synchronized (this) {
            answers.add(new String(response.body(), StandardCharsets.UTF_8));
        }
        answer(out, response.statusCode(), response.headers().firstValue("content-type").orElse("application/json"),
                response.body());
    }

    private static void answer(OutputStream out, int status, String type, String body) throws IOException {
        answer(out, status, type, body.getBytes(StandardCharsets.UTF_8));
    }

    private static void answer(OutputStream out, int status, String type, byte[] bytes) throws IOException {
        String head = "HTTP/1.1 " + status + " Planned\r\nContent-Type: " + type + "\r\nContent-Length: "
                + bytes.length + "\r\nConnection: close\r\n\r\n";
        out.write(head.getBytes(StandardCharsets.ISO_8859_1));
        out.write(bytes);
        out.flush();
    }

    /** Reads one request: the head up to the blank line, then Content-Length bytes of body. */
    private static Request read(Socket connection) throws IOException {
        InputStream in = connection.getInputStream();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed in the request head");
            }
            head.write(b);
        }
        String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
        String[] requestLine = lines[0].split(" ");
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        new String(lines[i].substring(colon + 1).trim().getBytes(StandardCharsets.ISO_8859_1),
                                StandardCharsets.UTF_8));
            }
        }
        if ("100-continue".equalsIgnoreCase(headers.get("expect"))) {
            connection.getOutputStream().write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            connection.getOutputStream().flush();
        }
        int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
        byte[] body = in.readNBytes(length);
        return new Request(requestLine[0], requestLine[1], headers, body);
    }

    private static void closeQuietly(Socket connection) {
        try {
            connection.close();
        } catch (IOException e) {
            // nothing left to do
        }
    }

    @Override
    public synchronized void close() throws IOException {
        socket.close();
        stalled.forEach(FaultyProxy::closeQuietly);
    }
}
