package io.gitops.status.resource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

/** Reads carry a strong ETag, answer 304 to If-None-Match, and are gzipped when the client asks. */
class ConditionalGetTest extends ApiTestSupport {

    private static final List<String> READS = List.of("/status", "/status?status=synced", "/status/g",
            "/status/g/h0", "/api/status", "/status.json");

    private void seed(int hosts) {
        for (int i = 0; i < hosts; i++) {
            pipelineOk("{\"server_group\":\"g\",\"host\":\"h" + i + "\",\"status\":\"synced\","
                    + "\"validation_message\":\"" + "x".repeat(200) + "\"}");
        }
    }

    private Response get(String path, String header, String value) {
        var request = target().path(path.contains("?") ? path.substring(0, path.indexOf('?')) : path);
        if (path.contains("?")) {
            String[] query = path.substring(path.indexOf('?') + 1).split("=");
            request = request.queryParam(query[0], query[1]);
        }
        var builder = request.request();
        if (header != null) {
            builder = builder.header(header, value);
        }
        return builder.get();
    }

    @Test
    void everyReadHasAStrongEtagAndRevalidatesWith304() {
        seed(3);
        for (String path : READS) {
            String tag;
            String body;
            try (Response first = get(path, null, null)) {
                assertEquals(200, first.getStatus(), path);
                tag = first.getHeaderString(HttpHeaders.ETAG);
                assertNotNull(tag, path);
                assertEquals('"', tag.charAt(0), "strong tag: " + tag);
                body = first.readEntity(String.class);
            }
            try (Response again = get(path, null, null)) {
                assertEquals(tag, again.getHeaderString(HttpHeaders.ETAG), "same content, same tag: " + path);
                assertEquals(body, again.readEntity(String.class));
            }
            try (Response revalidated = get(path, HttpHeaders.IF_NONE_MATCH, tag)) {
                assertEquals(304, revalidated.getStatus(), path);
                assertEquals(tag, revalidated.getHeaderString(HttpHeaders.ETAG));
                assertEquals("no-cache", revalidated.getHeaderString(HttpHeaders.CACHE_CONTROL));
            }
            try (Response other = get(path, HttpHeaders.IF_NONE_MATCH, "\"something-else\"")) {
                assertEquals(200, other.getStatus(), path);
            }
        }
    }

    @Test
    void aWriteChangesTheTagSoTheNextRevalidationGetsTheNewList() throws IOException {
        seed(1);
        String tag;
        try (Response first = get("/status", null, null)) {
            tag = first.getHeaderString(HttpHeaders.ETAG);
        }
        pipelineOk("{\"server_group\":\"g\",\"host\":\"h0\",\"status\":\"failed\"}");
        try (Response after = get("/status", HttpHeaders.IF_NONE_MATCH, tag)) {
            assertEquals(200, after.getStatus());
            assertNotEquals(tag, after.getHeaderString(HttpHeaders.ETAG));
            assertEquals("failed", Json.parse(after.readEntity(String.class)).get(0).get("status").textValue());
        }
    }

    @Test
    void gzipWhenAcceptedWithItsOwnTagAndTheSameContent() throws IOException {
        seed(20);
        byte[] plain;
        String plainTag;
        try (Response identity = get("/status", null, null)) {
            assertNull(identity.getHeaderString(HttpHeaders.CONTENT_ENCODING));
            plainTag = identity.getHeaderString(HttpHeaders.ETAG);
            plain = identity.readEntity(byte[].class);
        }
        try (Response zipped = get("/status", HttpHeaders.ACCEPT_ENCODING, "gzip, deflate, br")) {
            assertEquals(200, zipped.getStatus());
            assertEquals("gzip", zipped.getHeaderString(HttpHeaders.CONTENT_ENCODING));
            assertEquals(HttpHeaders.ACCEPT_ENCODING, zipped.getHeaderString(HttpHeaders.VARY));
            String zippedTag = zipped.getHeaderString(HttpHeaders.ETAG);
            assertNotEquals(plainTag, zippedTag, "another representation, another strong tag");
            byte[] compressed = zipped.readEntity(byte[].class);
            try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(compressed))) {
                assertArrayEquals(plain, in.readAllBytes());
            }
            try (Response revalidated = get("/status", HttpHeaders.IF_NONE_MATCH, zippedTag)) {
                assertEquals(304, revalidated.getStatus(), "either form's tag revalidates");
            }
        }
        try (Response refused = get("/status", HttpHeaders.ACCEPT_ENCODING, "gzip;q=0")) {
            assertNull(refused.getHeaderString(HttpHeaders.CONTENT_ENCODING));
        }
    }

    /** Small JSON helper so the assertions read plainly. */
    private static final class Json {
        static com.fasterxml.jackson.databind.JsonNode parse(String body) throws IOException {
            return io.gitops.status.json.Json.mapper().readTree(body);
        }
    }
}
