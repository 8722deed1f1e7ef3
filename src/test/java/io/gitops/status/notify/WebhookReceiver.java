package io.gitops.status.notify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A webhook receiver on loopback for the tests: keeps every request (headers and body), answers
 * 500 to the next {@link #failNext} requests (or all of them while {@link #down}), and checks
 * each signature against the secret it was given, independently of the code under test.
 */
public final class WebhookReceiver implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One request as it arrived. */
    public record Request(String id, String signature, byte[] body, JsonNode json, boolean signatureValid) {
    }

    private final HttpServer server;
    private final byte[] secret;
    private final List<Request> requests = new ArrayList<>();
    private final AtomicInteger failNext = new AtomicInteger();
    private volatile boolean down;
    private volatile Consumer<Request> onRequest = request -> { };

    public WebhookReceiver(String secret) throws IOException {
        this.secret = secret == null ? null : secret.getBytes(StandardCharsets.UTF_8);
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            String signature = exchange.getRequestHeaders().getFirst("X-Gitops-Status-Signature");
            Request request = new Request(exchange.getRequestHeaders().getFirst("X-Gitops-Status-Id"), signature, body,
                    JSON.readTree(body), verify(signature, body));
            onRequest.accept(request);
            boolean fail = down || failNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0;
            synchronized (requests) {
                requests.add(request);
            }
            exchange.sendResponseHeaders(fail ? 500 : 200, -1);
            exchange.close();
        });
        server.start();
    }

    public URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hook");
    }

    public void failNext(int requests) {
        failNext.set(requests);
    }

    /** Runs {@code action} on each request as it arrives, before it is answered. */
    public void onRequest(Consumer<Request> action) {
        onRequest = action;
    }

    public void down(boolean isDown) {
        down = isDown;
    }

    /** Every request so far, failed ones included. */
    public List<Request> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    /** The bodies of the distinct messages received (by id), in order of first arrival. */
    public List<JsonNode> messages() {
        List<String> ids = new ArrayList<>();
        List<JsonNode> messages = new ArrayList<>();
        for (Request request : requests()) {
            if (!ids.contains(request.id())) {
                ids.add(request.id());
                messages.add(request.json());
            }
        }
        return messages;
    }

    /** Forgets the requests so far. */
    public void clear() {
        synchronized (requests) {
            requests.clear();
        }
    }

    private boolean verify(String signature, byte[] body) {
        if (secret == null || signature == null || !signature.startsWith("sha256=")) {
            return false;
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return MessageDigest.isEqual(HexFormat.of().parseHex(signature.substring(7)), mac.doFinal(body));
        } catch (Exception e) {
            return false;
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
