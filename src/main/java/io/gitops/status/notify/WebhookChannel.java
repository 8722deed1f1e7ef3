package io.gitops.status.notify;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.gitops.status.json.Json;
import java.io.UncheckedIOException;
import java.net.URI;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A webhook: the message as JSON ({@code docs/notifications.schema.json}), its id in
 * {@value #ID_HEADER}, and, with a secret, {@value #SIGNATURE_HEADER}: {@code sha256=} and the hex
 * HMAC-SHA256 of the body's bytes under the secret.
 */
final class WebhookChannel extends Channel {

    static final String ID_HEADER = "X-Gitops-Status-Id";
    static final String SIGNATURE_HEADER = "X-Gitops-Status-Signature";

    private final URI url;
    private final byte[] secret;

    WebhookChannel(Duration timeout, URI url, byte[] secret) {
        super(timeout);
        this.url = url;
        this.secret = secret;
    }

    @Override
    void send(Message message) throws DeliveryException {
        byte[] body = body(message);
        if (secret == null) {
            post(url, body, ID_HEADER, message.id());
        } else {
            post(url, body, ID_HEADER, message.id(), SIGNATURE_HEADER, "sha256=" + sign(secret, body));
        }
    }

    static byte[] body(Message message) {
        try {
            return Json.mapper().writeValueAsBytes(message);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String sign(byte[] secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
        }
    }
}
