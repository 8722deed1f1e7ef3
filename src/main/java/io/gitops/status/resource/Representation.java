package io.gitops.status.resource;

import io.gitops.status.api.Staleness;
import io.gitops.status.api.StatusRecord;
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
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.zip.GZIPOutputStream;

/**
 * A read's answer, serialised once: its JSON bytes, a strong {@code ETag} derived from them (so it
 * survives restarts and is equal across processes serving the same data), and a gzip form made
 * when first asked for. {@code If-None-Match} gives 304.
 */
final class Representation {

    /** Smaller answers are sent as they are: gzip would not pay for itself. */
    static final int GZIP_MIN_BYTES = 1024;
    private static final int WRITE_SLICE_BYTES = 64 * 1024;

    private final byte[] json;
    private final String hash;
    private volatile byte[] gzip;

    private Representation(byte[] json) {
        this.json = json;
        this.hash = sha256Prefix(json);
    }

    static Representation of(Object entity) {
        try {
            return new Representation(Json.mapper().writeValueAsBytes(entity));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Response respond(HttpHeaders headers) {
        boolean gzipped = json.length >= GZIP_MIN_BYTES && acceptsGzip(headers.getHeaderString(HttpHeaders.ACCEPT_ENCODING));
        // The gzip form is another representation, so it has its own strong tag.
        EntityTag tag = new EntityTag(gzipped ? hash + "-gzip" : hash);
        if (matches(headers.getHeaderString(HttpHeaders.IF_NONE_MATCH))) {
            return Response.notModified(tag).header(HttpHeaders.VARY, HttpHeaders.ACCEPT_ENCODING).build();
        }
        byte[] body = gzipped ? gzip() : json;
        Response.ResponseBuilder response = Response.ok(chunked(body), MediaType.APPLICATION_JSON_TYPE)
                .header(HttpHeaders.CONTENT_LENGTH, body.length)
                .tag(tag)
                .header(HttpHeaders.VARY, HttpHeaders.ACCEPT_ENCODING);
        if (gzipped) {
            response.header(HttpHeaders.CONTENT_ENCODING, "gzip");
        }
        return response.build();
    }

    /**
     * Writes the body in slices: the JDK copies each heap buffer written to a socket into a
     * temporary direct buffer of the same size and keeps it per thread, so writing a large list in
     * one piece would keep that much native memory for every server thread.
     */
    private static StreamingOutput chunked(byte[] body) {
        return out -> {
            for (int offset = 0; offset < body.length; offset += WRITE_SLICE_BYTES) {
                out.write(body, offset, Math.min(WRITE_SLICE_BYTES, body.length - offset));
            }
        };
    }

    /** {@code If-None-Match} uses weak comparison: either form of this content matches. */
    private boolean matches(String ifNoneMatch) {
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
            ByteArrayOutputStream out = new ByteArrayOutputStream(json.length / 4);
            try (GZIPOutputStream zip = new GZIPOutputStream(out)) {
                zip.write(json);
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

    /**
     * The representation of a view of the whole list, made again only when the store's list
     * changed ({@link io.gitops.status.store.StatusStore#all()} returns the same list while it has
     * not) or, for views that show staleness, when a record turned stale since it was made: so that
     * polling dashboards cost no serialisation.
     */
    static final class Cache {
        private final Function<List<StatusRecord>, Object> view;
        private final Staleness staleness;
        private volatile Entry entry;

        /** A view that does not depend on the clock. */
        Cache(Function<List<StatusRecord>, Object> view) {
            this.view = view;
            this.staleness = null;
        }

        /** The list as rows, which show staleness at the time of the read. */
        Cache(Staleness staleness) {
            this.view = null;
            this.staleness = staleness;
        }

        Representation of(List<StatusRecord> records) {
            Instant now = staleness == null ? Instant.MIN : staleness.now();
            Entry current = entry;
            if (current != null && current.isFor(records, now)) {
                return current.representation();
            }
            // One thread serialises; the others wait for its result instead of each building a
            // copy of a possibly very large list at the same time.
            synchronized (this) {
                current = entry;
                if (current == null || !current.isFor(records, now)) {
                    entry = null; // let the outdated copy go before building the new one
                    current = staleness == null
                            ? new Entry(records, Instant.MAX, Representation.of(view.apply(records)))
                            : new Entry(records, staleness.nextChange(records, now),
                                    Representation.of(staleness.rows(records, now)));
                    entry = current;
                }
                return current.representation();
            }
        }

        private record Entry(List<StatusRecord> records, Instant validUntil, Representation representation) {
            boolean isFor(List<StatusRecord> list, Instant now) {
                return records == list && !now.isAfter(validUntil);
            }
        }
    }
}
