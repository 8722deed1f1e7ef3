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
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A webhook receiver on loopback for the tests: keeps every request (headers and body), answers
 * 500 to the next {@link #failNext} requests (or all of them while {@link #down}), slowly
 * ({@link #delay}) or not until released ({@link #hold}), and checks each signature against the
 * secret it was given, independently of the code under test.
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
    private volatile Duration delay = Duration.ZERO;
    private final List<String> answered = new ArrayList<>();
    private final ExecutorService threads = Executors.newCachedThreadPool(task -> {
        Thread thread = new Thread(task, "webhook-receiver");
        thread.setDaemon(true);
        return thread;
    });
    private final Object holdLock = new Object();
    /** Requests still to answer before holding; negative when not holding. */
    private int answerBeforeHolding = -1;
    private CountDownLatch released = new CountDownLatch(0);
    private final BlockingQueue<Request> held = new LinkedBlockingQueue<>();

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
            try {
                holdIfAsked(request);
                Duration pause = delay;
                if (!pause.isZero()) {
                    Thread.sleep(pause.toMillis());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.sendResponseHeaders(fail ? 500 : 200, -1); // throws when the sender is gone
            exchange.close();
            if (!fail) {
                synchronized (answered) {
                    answered.add(request.id());
                }
            }
        });
        // a thread per request, so that one held open does not hold the others back
        server.setExecutor(threads);
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

    /** Waits this long before answering each request: a slow receiver. */
    public void delay(Duration each) {
        delay = each;
    }

    /**
     * Answers the next {@code answerFirst} requests, then holds every later one open, unanswered,
     * until {@link #release()}: a message in flight.
     */
    public void hold(int answerFirst) {
        synchronized (holdLock) {
            answerBeforeHolding = answerFirst;
            released = new CountDownLatch(1);
        }
    }

    /** The next request held open, once it arrives; null if none does within {@code timeout}. */
    public Request awaitHeld(Duration timeout) throws InterruptedException {
        return held.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Answers the requests held (their senders may be gone by now) and holds no more. */
    public void release() {
        synchronized (holdLock) {
            answerBeforeHolding = -1;
            released.countDown();
        }
    }

    /** The ids of the requests answered 2xx, in order: a sender received the answer, unless it died first. */
    public List<String> answered() {
        synchronized (answered) {
            return List.copyOf(answered);
        }
    }

    private void holdIfAsked(Request request) throws InterruptedException {
        CountDownLatch until;
        synchronized (holdLock) {
            if (answerBeforeHolding < 0) {
                return;
            }
            if (answerBeforeHolding > 0) {
                answerBeforeHolding--;
                return;
            }
            until = released;
        }
        held.add(request);
        until.await(60, TimeUnit.SECONDS);
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
        release();
        server.stop(0);
        threads.shutdownNow();
    }
}
