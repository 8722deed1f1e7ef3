package io.gitops.status.notify;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Delivers messages to one receiver over HTTP: a 2xx answer is delivered, anything else (another
 * status, no answer within the timeout, no connection) fails with a one-line reason.
 */
abstract class Channel {

    private final HttpClient http;
    private final Duration timeout;

    Channel(HttpClient http, Duration timeout) {
        this.http = http;
        this.timeout = timeout;
    }

    abstract void send(Message message) throws DeliveryException;

    /** POSTs a JSON body; {@code headers} are name, value pairs. */
    final void post(URI url, byte[] body, String... headers) throws DeliveryException {
        HttpRequest.Builder request = HttpRequest.newBuilder(url).timeout(timeout)
                .header("Content-Type", "application/json")
                .header("User-Agent", "gitops-status")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new DeliveryException(url.getHost() + ": " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DeliveryException("interrupted");
        }
        if (response.statusCode() / 100 != 2) {
            String text = response.body() == null ? "" : response.body().strip().replaceAll("\\s+", " ");
            throw new DeliveryException("HTTP " + response.statusCode()
                    + (text.isEmpty() ? "" : ": " + text.substring(0, Math.min(200, text.length()))));
        }
    }

    /** A failed try, with why in one line. */
    static final class DeliveryException extends Exception {
        DeliveryException(String reason) {
            super(reason, null, false, false);
        }
    }
}
