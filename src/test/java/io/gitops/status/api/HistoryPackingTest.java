package io.gitops.status.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.gitops.status.json.Json;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Every transition reads back from the packed form exactly as it was given. */
class HistoryPackingTest {

    private static final String SHA = "0123456789abcdef0123456789abcdef01234567";

    @Test
    void everyKindOfValueReadsBackExactly() throws Exception {
        List<String> times = List.of("2026-04-26T10:30:00Z", "2026-04-26T10:30:00.123Z", "2026-04-26T10:30:00.100Z",
                "2026-04-26T10:30:00.000Z", "2026-04-26T10:30:00.5Z", "2026-04-26T10:30:00.123456Z",
                "2026-04-26T10:30:00+03:00", "2026-04-26T10:30:00", "2024-02-29T00:00:00Z", "2026-02-29T00:00:00Z",
                "2026-13-01T00:00:00Z", "2026-04-26T24:00:00Z", "0000-01-01T00:00:00Z", "yesterday", "");
        List<String> statuses = Arrays.asList(null, "synced", "out_of_sync", "failed", "unknown", "SYNCED", "",
                "pipeline", "weird");
        List<String> commits = Arrays.asList(null, SHA, "abc1234567890", "abc123456789", "ABCDEF", "abc", "",
                SHA + "00", "not hex!", "ab");
        List<Transition> given = new ArrayList<>();
        int n = 0;
        for (String at : times) {
            for (String status : statuses) {
                for (String commit : commits) {
                    given.add(new Transition(at, status, statuses.get(n % statuses.size()),
                            List.of("pipeline", "cron", "legacy", "test").get(n % 4), commit, n * 7919 % 100_000));
                    n++;
                }
            }
        }
        History packed = History.of(given);
        assertEquals(given, packed);
        assertEquals(given, new ArrayList<>(packed), "element by element");
        assertEquals(given.hashCode(), packed.hashCode());
        assertEquals(packed, History.of(new ArrayList<>(packed)), "packing is canonical");
        String json = Json.mapper().writeValueAsString(packed);
        List<Transition> read = Json.mapper().readValue("{\"history\": " + json + "}", Holder.class).history();
        assertEquals(given, read, "the JSON reader packs the same transitions");
        assertEquals(History.class, read.getClass());
    }

    record Holder(@com.fasterxml.jackson.databind.annotation.JsonDeserialize(using = HistoryJsonReader.class)
            @com.fasterxml.jackson.annotation.JsonProperty("history") List<Transition> history) {
    }

    @Test
    void timesArePackedExactlyWhenTheirTextIsTheStandardOne() {
        Random random = new Random(42);
        for (int i = 0; i < 100_000; i++) {
            long millis = random.nextLong(-62_000_000_000_000L, 253_402_300_799_999L);
            if (i % 2 == 0) {
                millis -= Math.floorMod(millis, 1000); // whole seconds: no fraction in the text
            }
            String text = Instant.ofEpochMilli(millis).toString();
            assertEquals(millis, PackedTime.of(text), text);
            assertEquals(millis, History.of(List.of(new Transition(text, null, "synced", "cron", null, 0)))
                    .epochMilli(0));
        }
        assertEquals(Long.MIN_VALUE, PackedTime.of("2026-04-26T10:30:00.000Z"));
        assertEquals(Long.MIN_VALUE, PackedTime.of("2026-02-29T10:30:00Z"));
        assertNull(History.of(List.of(new Transition("soon", null, "synced", "cron", null, 0))).epochMilli(0));
    }

    @Test
    void newestKeepsTheLastTransitionsAndEmptyIsShared() {
        List<Transition> given = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            given.add(new Transition("2026-04-26T10:30:" + String.format("%02d", i) + "Z", i % 2 == 0 ? "synced" : "failed",
                    i % 2 == 0 ? "failed" : "synced", "cron", i % 3 == 0 ? "odd text " + i : SHA, i));
        }
        History packed = History.of(given);
        assertEquals(given.subList(10, 30), packed.newest(20));
        assertSame(packed, packed.newest(30));
        assertSame(History.of(List.of()), History.of(null));
    }
}
