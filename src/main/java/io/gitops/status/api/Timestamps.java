package io.gitops.status.api;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Timestamps as the API stores them: UTC ISO-8601 with {@code Z}, fractional seconds kept exactly
 * as given (never added, never padded).
 */
public final class Timestamps {

    private static final Pattern ISO = Pattern.compile(
            "(\\d{4}-\\d{2}-\\d{2})[Tt](\\d{2}:\\d{2}:\\d{2})(\\.\\d{1,9})?([Zz]|[+-]\\d{2}:?\\d{2})?");
    private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss");

    private Timestamps() {
    }

    /**
     * Normalises a timestamp from a request: it must carry {@code Z} or an offset.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    public static String normalize(String text) {
        return parse(text, false);
    }

    /**
     * Normalises a timestamp read from an older data file, where a missing zone means UTC
     * (Python's {@code datetime.utcnow().isoformat()}). Returns the text unchanged if it cannot
     * be read, so that nothing in the file is lost.
     */
    public static String normalizeStored(String text) {
        if (text == null || isStoredForm(text)) {
            return text; // what this service writes, which parse() would give back unchanged
        }
        try {
            return parse(text, true);
        } catch (IllegalArgumentException e) {
            return text;
        }
    }

    /**
     * Whether the text has the stored form, {@code yyyy-MM-ddTHH:mm:ss[.fraction]Z}, checked by
     * hand: a large data file holds hundreds of thousands of timestamps.
     */
    private static boolean isStoredForm(String s) {
        int n = s.length();
        if (n < 20 || n > 30 || s.charAt(n - 1) != 'Z' || (n > 20 && (n == 21 || s.charAt(19) != '.'))) {
            return false;
        }
        for (int i = 0; i < n - 1; i++) {
            char c = s.charAt(i);
            boolean ok = switch (i) {
                case 4, 7 -> c == '-';
                case 10 -> c == 'T';
                case 13, 16 -> c == ':';
                case 19 -> c == '.';
                default -> c >= '0' && c <= '9';
            };
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /**
     * The instant of a stored timestamp, or {@code null} when there is none or it cannot be read
     * (text kept as it was from an old data file).
     */
    public static Instant instant(String stored) {
        if (stored == null) {
            return null;
        }
        long millis = PackedTime.of(stored); // the usual forms, read by hand: reads judge staleness per row
        if (millis != Long.MIN_VALUE) {
            return Instant.ofEpochMilli(millis);
        }
        try {
            return Instant.parse(stored);
        } catch (java.time.DateTimeException e) {
            return null;
        }
    }

    /** The server clock, to the second. */
    public static String now() {
        return SECONDS.format(Instant.now().atOffset(ZoneOffset.UTC)) + "Z";
    }

    private static String parse(String text, boolean zoneOptional) {
        Matcher m = ISO.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("must be an ISO-8601 timestamp such as 2026-04-26T10:30:00Z");
        }
        String zone = m.group(4);
        if (zone == null && !zoneOptional) {
            throw new IllegalArgumentException("must carry a zone: Z or an offset such as +03:00");
        }
        String fraction = m.group(3) == null ? "" : m.group(3);
        try {
            LocalDateTime local = LocalDateTime.parse(m.group(1) + "T" + m.group(2) + fraction);
            ZoneOffset offset = zone == null || zone.equalsIgnoreCase("Z")
                    ? ZoneOffset.UTC
                    : ZoneOffset.of(zone.length() == 5 ? zone.substring(0, 3) + ":" + zone.substring(3) : zone);
            OffsetDateTime utc = local.atOffset(offset).withOffsetSameInstant(ZoneOffset.UTC);
            return SECONDS.format(utc) + fraction + "Z";
        } catch (java.time.DateTimeException e) {
            throw new IllegalArgumentException("is not a valid date and time: " + text);
        }
    }
}
