package io.gitops.status.notify;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Delivers messages to one receiver over HTTP: a 2xx answer is delivered, anything else (another
 * status, a redirect, no answer within the timeout, no connection) fails with a one-line reason.
 *
 * <p>{@link HttpURLConnection}, one connection a request, closed after it: unlike Java 17's
 * {@code HttpClient}, it leaves no thread behind (a web application stopped in Tomcat would keep
 * the client's selector thread, and its class loader, until a garbage collection).
 */
abstract class Channel {

    private static final int MAX_ERROR_CHARS = 200;
    private final Duration timeout;

    Channel(Duration timeout) {
        this.timeout = timeout;
    }

    abstract void send(Message message) throws DeliveryException;

    /** POSTs a JSON body; {@code headers} are name, value pairs. The timeout bounds connecting and each read. */
    final void post(URI url, byte[] body, String... headers) throws DeliveryException {
        HttpURLConnection connection = null;
        try {
            connection = (HttpURLConnection) url.toURL().openConnection();
            int millis = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
            connection.setConnectTimeout(millis);
            connection.setReadTimeout(millis);
            connection.setInstanceFollowRedirects(false);
            connection.setUseCaches(false);
            connection.setRequestMethod("POST");
            connection.setRequestProperty("Content-Type", "application/json");
            connection.setRequestProperty("User-Agent", "gitops-status");
            for (int i = 0; i < headers.length; i += 2) {
                connection.setRequestProperty(headers[i], headers[i + 1]);
            }
            connection.setDoOutput(true);
            connection.setFixedLengthStreamingMode(body.length);
            try (OutputStream out = connection.getOutputStream()) {
                out.write(body);
            }
            int status = connection.getResponseCode();
            if (status / 100 != 2) {
                String answer = start(connection.getErrorStream());
                throw new DeliveryException("HTTP " + status + (answer.isEmpty() ? "" : ": " + answer));
            }
        } catch (SocketTimeoutException e) {
            throw new DeliveryException(url.getHost() + ": no answer within " + timeout + " (" + e.getMessage() + ")");
        } catch (IOException e) {
            throw new DeliveryException(url.getHost() + ": " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()));
        } finally {
            if (connection != null) {
                connection.disconnect();
            }
        }
    }

    /**
     * A refusal's first characters on one line, for the reason of the failure. No more is read, and
     * no longer than the timeout (one read past it at most): the connection is dropped after it, so
     * a receiver that streams or trickles an endless answer cannot hold the notifier.
     */
    private String start(InputStream in) throws IOException {
        if (in == null) {
            return "";
        }
        try (in) {
            byte[] head = new byte[4 * MAX_ERROR_CHARS];
            int length = 0;
            long deadline = System.nanoTime() + timeout.toNanos();
            for (int n; length < head.length && System.nanoTime() < deadline
                    && (n = in.read(head, length, head.length - length)) >= 0; ) {
                length += n;
            }
            String text = new String(head, 0, length, StandardCharsets.UTF_8).strip().replaceAll("\\s+", " ");
            return text.substring(0, Math.min(MAX_ERROR_CHARS, text.length()));
        }
    }

    /** A failed try, with why in one line. */
    static final class DeliveryException extends Exception {
        DeliveryException(String reason) {
            super(reason, null, false, false);
        }
    }
}
