package io.gitops.status.resource;

import io.gitops.status.json.Json;
import jakarta.ws.rs.core.EntityTag;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.zip.GZIPOutputStream;

/**
 * A small read's answer (one host, one host's history, a badge), serialised once: its bytes, a strong
 * {@code ETag} derived from them (so it survives restarts and is equal across processes serving
 * the same data), and a gzip form made when first asked for. {@code If-None-Match} gives 304.
 * Lists, whose size grows with the fleet, are written row by row instead ({@link Streamed}), with
 * tags made the same way.
 */
final class Representation {

    /** Smaller answers are sent as they are: gzip would not pay for itself. */
    static final int GZIP_MIN_BYTES = 1024;

    private final byte[] bytes;
    private final MediaType type;
    private final String hash;
    private volatile byte[] gzip;

    private Representation(byte[] bytes, MediaType type) {
        this.bytes = bytes;
        this.type = type;
        this.hash = sha256Prefix(bytes);
    }

    static Representation of(Object entity) {
        try {
            return new Representation(Json.mapper().writeValueAsBytes(entity), MediaType.APPLICATION_JSON_TYPE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An answer already made, in another media type than JSON (a badge's SVG). */
    static Representation of(byte[] body, MediaType type) {
        return new Representation(body, type);
    }

    Response respond(HttpHeaders headers) {
        boolean gzipped = bytes.length >= GZIP_MIN_BYTES && acceptsGzip(headers.getHeaderString(HttpHeaders.ACCEPT_ENCODING));
        // The gzip form is another representation, so it has its own strong tag.
        EntityTag tag = new EntityTag(gzipped ? hash + "-gzip" : hash);
        if (matches(headers.getHeaderString(HttpHeaders.IF_NONE_MATCH), hash)) {
            return Response.notModified(tag).header(HttpHeaders.VARY, HttpHeaders.ACCEPT_ENCODING).build();
        }
        byte[] body = gzipped ? gzip() : bytes;
        Response.ResponseBuilder response = Response.ok(chunked(body), type)
                .header(HttpHeaders.CONTENT_LENGTH, body.length)
                .tag(tag)
                .header(HttpHeaders.VARY, HttpHeaders.ACCEPT_ENCODING);
        if (gzipped) {
            response.header(HttpHeaders.CONTENT_ENCODING, "gzip");
        }
        return response.build();
    }

    /** Writes the body through {@link Streamed.Slices}, never in one piece. */
    private static StreamingOutput chunked(byte[] body) {
        return out -> new Streamed.Slices(out).write(body, 0, body.length);
    }

    /**
     * Whether {@code If-None-Match} names the content whose hash is {@code hash}: weak comparison,
     * so either form (identity or gzip) of the content matches.
     */
    static boolean matches(String ifNoneMatch, String hash) {
        if (ifNoneMatch == null) {
            return false;
        }
        for (String candidate : ifNoneMatch.split(",")) {
            String tag = candidate.trim();
            if (tag.equals("*")) {
                return true;
            }
            if (tag.startsWith("W/")) {
                tag = tag.substring(2);
            }
            tag = tag.replace("\"", "");
            if (tag.equals(hash) || tag.equals(hash + "-gzip")) {
                return true;
            }
        }
        return false;
    }

    private synchronized byte[] gzip() {
        byte[] compressed = gzip;
        if (compressed == null) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length / 4);
            try (GZIPOutputStream zip = new GZIPOutputStream(out)) {
                zip.write(bytes);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            compressed = out.toByteArray();
            gzip = compressed;
        }
        return compressed;
    }

    static boolean acceptsGzip(String acceptEncoding) {
        if (acceptEncoding == null) {
            return false;
        }
        for (String coding : acceptEncoding.toLowerCase(Locale.ROOT).split(",")) {
            String[] parts = coding.trim().split(";");
            String name = parts[0].trim();
            if (name.equals("gzip") || name.equals("x-gzip") || name.equals("*")) {
                boolean refused = parts.length > 1 && parts[1].replace(" ", "").matches("q=0(\\.0*)?");
                return !refused;
            }
        }
        return false;
    }

    private static String sha256Prefix(byte[] bytes) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes);
            return HexFormat.of().formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
