package io.gitops.status.resource;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import io.gitops.status.api.Staleness;
import io.gitops.status.api.StatusRecord;
import io.gitops.status.json.Json;
import jakarta.ws.rs.core.EntityTag;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Supplier;
import java.util.zip.GZIPOutputStream;

/**
 * A list answer written row by row to the client, never held whole in memory: the memory of a
 * read is a few buffers, whatever the fleet's size.
 *
 * <p><b>ETag scheme.</b> The tag stays what it was when answers were built as byte arrays: the
 * first 16 bytes of the SHA-256 of the answer's JSON, {@code "<hash>-gzip"} for the gzip form. It
 * is derived from the bytes, not from the store's version, because a version-based tag would
 * differ between two processes serving the same data file and after a restart (the README
 * promises it does not), and because an answer that depends on the clock (staleness) would need
 * the stale cut-off in the tag too. A fresh answer is therefore written twice: once into the
 * digest (counting its length, so that the identity form keeps its {@code Content-Length}), then
 * to the client. The tag is remembered in a small {@link TagCache} per (view and canonical query,
 * store list identity, staleness validity), so a revalidation ({@code If-None-Match}) of an
 * answer seen before costs a map lookup, and a repeated 200 costs one pass instead of two.
 * Nothing else is cached: no answer's bytes, in either form.
 */
final class Streamed {

    /** Smaller answers are sent as they are: gzip would not pay for itself. */
    static final int GZIP_MIN_BYTES = Representation.GZIP_MIN_BYTES;
    private static final int BUFFER_BYTES = 32 * 1024;

    private final TagCache tags = new TagCache(128);
    private final StaleValidity validity;

    Streamed(Staleness staleness) {
        this.validity = new StaleValidity(staleness);
    }

    /** Writes an answer's JSON, one row after another. */
    interface Body {
        void write(JsonGenerator json) throws IOException;
    }

    /** An answer: its body and, for a page, the continuation ({@code null} when none). */
    record Answer(Body body, String next) {
        Answer(Body body) {
            this(body, null);
        }
    }

    /** The response, and the answer's continuation for the caller's {@code Link} header. */
    record Reply(Response.ResponseBuilder response, String next) {
    }

    /**
     * The answer named {@code key} over the store's {@code list}, as of {@code now}.
     *
     * @param clockDependent whether the rows or the selection depend on staleness, so the
     *     remembered tag holds only until the next host turns stale
     * @param answer makes the answer; called at most twice, each time with the same result
     */
    Reply respond(HttpHeaders headers, String key, List<StatusRecord> list, Instant now, boolean clockDependent,
            Supplier<Answer> answer) {
        TagCache.Tag tag = tags.find(key, list, now);
        Answer made = null;
        if (tag == null) {
            Instant validUntil = clockDependent ? validity.until(list, now) : Instant.MAX;
            made = answer.get();
            tag = digest(made);
            tags.put(key, list, validUntil, tag);
        }
        boolean gzipped = tag.length() >= GZIP_MIN_BYTES
                && Representation.acceptsGzip(headers.getHeaderString(HttpHeaders.ACCEPT_ENCODING));
        // The gzip form is another representation, so it has its own strong tag.
        EntityTag entityTag = new EntityTag(gzipped ? tag.hash() + "-gzip" : tag.hash());
        if (Representation.matches(headers.getHeaderString(HttpHeaders.IF_NONE_MATCH), tag.hash())) {
            return new Reply(Response.notModified(entityTag).header(HttpHeaders.VARY, HttpHeaders.ACCEPT_ENCODING),
                    tag.next());
        }
        Answer body = made != null ? made : answer.get();
        Response.ResponseBuilder response = Response.ok(output(body.body(), gzipped), MediaType.APPLICATION_JSON_TYPE)
                .tag(entityTag)
                .header(HttpHeaders.VARY, HttpHeaders.ACCEPT_ENCODING);
        if (gzipped) {
            response.header(HttpHeaders.CONTENT_ENCODING, "gzip");
        } else {
            response.header(HttpHeaders.CONTENT_LENGTH, tag.length());
        }
        return new Reply(response, body.next());
    }

    private static StreamingOutput output(Body body, boolean gzipped) {
        return out -> {
            if (gzipped) {
                GZIPOutputStream zip = new GZIPOutputStream(new Slices(out), BUFFER_BYTES);
                write(body, zip);
                zip.finish();
            } else {
                write(body, new Slices(out));
            }
            out.flush();
        };
    }

    private static void write(Body body, OutputStream out) throws IOException {
        try (JsonGenerator json = Json.mapper().getFactory().createGenerator(out, JsonEncoding.UTF8)) {
            json.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            body.write(json);
        }
    }

    /** The tag of an answer: its SHA-256 prefix and length, written into the digest alone. */
    private static TagCache.Tag digest(Answer answer) {
        MessageDigest sha256;
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        Counting counting = new Counting();
        try {
            write(answer.body(), new DigestOutputStream(counting, sha256));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new TagCache.Tag(HexFormat.of().formatHex(sha256.digest(), 0, 16), counting.bytes, answer.next());
    }

    /** Counts what passes, keeps nothing. */
    private static final class Counting extends OutputStream {
        private long bytes;

        @Override
        public void write(int b) {
            bytes++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            bytes += len;
        }
    }

    /**
     * Passes writes on in slices of at most {@value #BUFFER_BYTES} bytes: the JDK copies each heap
     * buffer written to a socket into a temporary direct buffer of its size and keeps it per
     * thread, so one large write would keep that much native memory for every server thread.
     */
    static final class Slices extends OutputStream {
        private final OutputStream out;

        Slices(OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            for (int at = off; at < off + len; at += BUFFER_BYTES) {
                out.write(b, at, Math.min(BUFFER_BYTES, off + len - at));
            }
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }
    }
}
