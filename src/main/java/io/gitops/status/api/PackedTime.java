package io.gitops.status.api;

import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;

/** A transition's time as {@link History} packs it: epoch milliseconds standing for the exact text. */
final class PackedTime {

    private PackedTime() {
    }

    /**
     * Epoch milliseconds whose standard text ({@code 2026-04-26T10:30:00Z}, or with three
     * fraction digits, as {@link Instant#toString()} writes it) is exactly {@code at};
     * {@link Long#MIN_VALUE} for any other text. Read by hand: a large data file holds millions.
     */
    static long of(CharSequence at) {
        int length = at == null ? 0 : at.length();
        if ((length != 20 && length != 24) || at.charAt(4) != '-' || at.charAt(7) != '-' || at.charAt(10) != 'T'
                || at.charAt(13) != ':' || at.charAt(16) != ':' || at.charAt(length - 1) != 'Z'
                || (length == 24 && at.charAt(19) != '.')) {
            return Long.MIN_VALUE;
        }
        int year = digits(at, 0, 4);
        int month = digits(at, 5, 2);
        int day = digits(at, 8, 2);
        int hour = digits(at, 11, 2);
        int minute = digits(at, 14, 2);
        int second = digits(at, 17, 2);
        int millis = length == 24 ? digits(at, 20, 3) : 0;
        if (year < 0 || month < 1 || month > 12 || day < 1 || day > 28 && day > lengthOfMonth(year, month)
                || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59 || millis < 0
                || (length == 24 && millis == 0)) { // Instant writes no fraction for a whole second
            return Long.MIN_VALUE;
        }
        long days = LocalDate.of(year, month, day).toEpochDay();
        return ((days * 24 + hour) * 60 + minute) * 60_000L + second * 1000L + millis;
    }

    private static int lengthOfMonth(int year, int month) {
        return YearMonth.of(year, month).lengthOfMonth();
    }

    /** The number written by {@code count} digits at {@code from}; -1 when one is not a digit. */
    private static int digits(CharSequence s, int from, int count) {
        int value = 0;
        for (int i = from; i < from + count; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }
}
