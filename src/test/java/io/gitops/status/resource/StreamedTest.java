package io.gitops.status.resource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.gitops.status.api.Staleness;
import io.gitops.status.api.StatusRecord;
import io.gitops.status.json.Json;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Lists written row by row: the same bytes and tag as the whole list serialised at once, and a
 * revalidation of an answer seen before makes no answer at all, until the list changes or a host
 * turns stale.
 */
class StreamedTest {

    private static final Instant T0 = Instant.parse("2026-01-01T10:00:00Z");

    private final AtomicReference<Instant> clock = new AtomicReference<>(T0);
    private final Staleness staleness = new Staleness(Duration.ofMinutes(30), new Clock() {
        @Override
        public Instant instant() {
            return clock.get();
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    });
    private final Streamed streamed = new Streamed(staleness);
    private final AtomicInteger made = new AtomicInteger();

    private static List<StatusRecord> fleet(int hosts) {
        List<StatusRecord> records = new ArrayList<>();
        for (int h = 0; h < hosts; h++) {
            records.add(new StatusRecord("g", String.format("h%03d", h), null, null, null, null, "synced",
                    List.of(), null, null, null, null, null, null, null, "2026-01-01T09:50:00Z",
                    "2026-01-01T09:50:00Z"));
        }
        return List.copyOf(records);
    }

    private static HttpHeaders headers(Map<String, String> values) {
        return (HttpHeaders) Proxy.newProxyInstance(StreamedTest.class.getClassLoader(),
                new Class<?>[] {HttpHeaders.class}, (proxy, method, args) -> method.getName().equals("getHeaderString")
                        ? values.get((String) args[0]) : null);
    }

    private Response respond(List<StatusRecord> records, Map<String, String> headers) {
        Instant now = staleness.now();
        return streamed.respond(headers(headers), "status", records, now, true, () -> {
            made.incrementAndGet();
            return new Streamed.Answer(ListViews.rows(records, r -> true, staleness, now));
        }).response().build();
    }

    private static byte[] body(Response response) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ((StreamingOutput) response.getEntity()).write(out);
        return out.toByteArray();
    }

    @Test
    void theStreamedBytesAndTagAreThoseOfTheWholeList() throws Exception {
        List<StatusRecord> records = fleet(50);
        Response response = respond(records, Map.of());
        byte[] whole = Json.mapper().writeValueAsBytes(staleness.rows(records, T0));
        assertArrayEquals(whole, body(response));
        String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(whole), 0, 16);
        assertEquals("\"" + hash + "\"", response.getHeaderString(HttpHeaders.ETAG));
        assertEquals(String.valueOf(whole.length), response.getHeaderString(HttpHeaders.CONTENT_LENGTH));
    }

    @Test
    void aRevalidationOfAKnownAnswerMakesNoAnswer() {
        List<StatusRecord> records = fleet(50);
        String tag = respond(records, Map.of()).getHeaderString(HttpHeaders.ETAG);
        assertEquals(1, made.get(), "one answer, written into the digest and then to the client");
        for (int i = 0; i < 5; i++) {
            assertEquals(304, respond(records, Map.of(HttpHeaders.IF_NONE_MATCH, tag)).getStatus());
        }
        assertEquals(1, made.get(), "revalidations cost a lookup");
        assertEquals(200, respond(records, Map.of()).getStatus());
        assertEquals(2, made.get(), "a 200 with a known tag writes once, to the client");

        List<StatusRecord> changed = fleet(51);
        assertEquals(200, respond(changed, Map.of(HttpHeaders.IF_NONE_MATCH, tag)).getStatus());
        assertEquals(3, made.get(), "another list, another answer");
    }

    @Test
    void aHostTurningStaleEndsTheRememberedTag() {
        List<StatusRecord> records = fleet(3);
        String fresh = respond(records, Map.of()).getHeaderString(HttpHeaders.ETAG);
        clock.set(T0.plusSeconds(60)); // still fresh: the last checks were at 09:50, stale after 10:20
        assertEquals(304, respond(records, Map.of(HttpHeaders.IF_NONE_MATCH, fresh)).getStatus());
        assertEquals(1, made.get());
        clock.set(Instant.parse("2026-01-01T10:20:00.001Z"));
        Response stale = respond(records, Map.of(HttpHeaders.IF_NONE_MATCH, fresh));
        assertEquals(200, stale.getStatus(), "every row shows stale now");
        assertEquals(2, made.get());
    }
}
