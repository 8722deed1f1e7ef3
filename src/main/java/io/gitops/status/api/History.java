package io.gitops.status.api;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.AbstractList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.RandomAccess;

/**
 * A record's status transitions, oldest first, packed into one array: a large fleet keeps
 * millions of them in memory, and a transition as objects (a record, its timestamp and commit as
 * strings) costs about five times as much.
 *
 * <p>Each transition takes {@value #WIDTH} bytes: the time in epoch milliseconds, one-byte codes
 * for {@code from}, {@code to} and {@code source}, the changed-file count, and a commit of up to 40
 * lower-case hex digits as bytes. A value that does not fit its packed form (a timestamp whose
 * text epoch milliseconds cannot reproduce, an unknown status, any other commit) is kept as text
 * beside the array, so that every transition reads back exactly as it was stored.
 *
 * <p>Immutable; {@link #get} decodes a {@link Transition} on each call.
 */
public final class History extends AbstractList<Transition> implements RandomAccess {

    private static final History EMPTY = new History(new byte[0], null);

    /** Values of {@code from}, {@code to} and {@code source} that take one byte; 0 is {@code null}. */
    private static final List<String> CODES = List.of("", "synced", "out_of_sync", "failed", "unknown",
            "pipeline", "cron", "legacy");
    private static final byte AS_TEXT = (byte) 0xFF;
    private static final int MAX_PACKED_COMMIT = 40;
    private static final int WIDTH = 8 + 3 + 4 + 1 + MAX_PACKED_COMMIT / 2;
    /** Fields that may be kept as text, per transition. */
    private static final int AT = 0;
    private static final int FROM = 1;
    private static final int TO = 2;
    private static final int SOURCE = 3;
    private static final int COMMIT = 4;
    private static final int TEXT_FIELDS = 5;
    private static final HexFormat HEX = HexFormat.of();
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);

    private final byte[] packed;
    /** Per transition, {@value #TEXT_FIELDS} slots for values kept as text; {@code null} when none is. */
    private final String[] text;

    private History(byte[] packed, String[] text) {
        this.packed = packed;
        this.text = text;
    }

    /** The transitions, packed; {@code transitions} itself when it already is. */
    public static History of(List<Transition> transitions) {
        if (transitions == null || transitions.isEmpty()) {
            return EMPTY;
        }
        if (transitions instanceof History history) {
            return history;
        }
        Builder builder = new Builder(transitions.size());
        for (Transition t : transitions) {
            Objects.requireNonNull(t, "transition");
            builder.add(t.at(), t.from(), t.to(), t.source(), t.commitSha(), t.changedFilesCount());
        }
        return builder.build();
    }

    /** Packs transitions one by one, without a {@link Transition} object each (see {@link JsonReader}). */
    static final class Builder {
        private byte[] packed;
        private String[] text;
        private int size;

        Builder(int expected) {
            packed = new byte[Math.max(1, expected) * WIDTH];
        }

        void add(String at, String from, String to, String source, String commit, int changedFilesCount) {
            if ((size + 1) * WIDTH > packed.length) {
                packed = Arrays.copyOf(packed, packed.length * 2);
                text = text == null ? null : Arrays.copyOf(text, packed.length / WIDTH * TEXT_FIELDS);
            }
            int offset = size * WIDTH;
            long millis = packedTime(at);
            if (millis == Long.MIN_VALUE) {
                keep(AT, at);
            }
            putLong(packed, offset, millis);
            packed[offset + 8] = code(FROM, from);
            packed[offset + 9] = code(TO, to);
            packed[offset + 10] = code(SOURCE, source);
            putInt(packed, offset + 11, changedFilesCount);
            packed[offset + 15] = packCommit(commit, offset + 16);
            size++;
        }

        History build() {
            if (size == 0) {
                return EMPTY;
            }
            return new History(Arrays.copyOf(packed, size * WIDTH),
                    text == null ? null : Arrays.copyOf(text, size * TEXT_FIELDS));
        }

        private void keep(int field, String value) {
            if (text == null) {
                text = new String[packed.length / WIDTH * TEXT_FIELDS];
            }
            text[size * TEXT_FIELDS + field] = value;
        }

        private byte code(int field, String value) {
            int code = value == null ? 0 : CODES.indexOf(value);
            if (code < 0 || (value != null && code == 0)) {
                keep(field, value);
                return AS_TEXT;
            }
            return (byte) code;
        }

        /** The commit's length in hex digits when packed at {@code offset}, else {@code AS_TEXT}. */
        private byte packCommit(String commit, int offset) {
            if (commit == null) {
                return 0;
            }
            if (commit.isEmpty() || commit.length() > MAX_PACKED_COMMIT || commit.length() % 2 != 0
                    || !isLowerHex(commit)) {
                keep(COMMIT, commit);
                return AS_TEXT;
            }
            byte[] bytes = HEX.parseHex(commit);
            System.arraycopy(bytes, 0, packed, offset, bytes.length);
            return (byte) commit.length();
        }
    }

    /**
     * Reads a history straight into its packed form: a data file of a large fleet holds millions
     * of transitions, and reading each as a {@link Transition} first would double the load time.
     * Takes what {@link Transition}'s own mapping takes: unknown fields are skipped, scalars are
     * read as text.
     */
    public static final class JsonReader extends StdDeserializer<History> {

        public JsonReader() {
            super(History.class);
        }

        @Override
        public History deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            if (!p.isExpectedStartArrayToken()) {
                return (History) ctxt.handleUnexpectedToken(History.class, p);
            }
            Builder builder = new Builder(20);
            for (JsonToken token = p.nextToken(); token != JsonToken.END_ARRAY; token = p.nextToken()) {
                if (token != JsonToken.START_OBJECT) {
                    return (History) ctxt.handleUnexpectedToken(Transition.class, p);
                }
                String at = null;
                String from = null;
                String to = null;
                String source = null;
                String commit = null;
                int changedFiles = 0;
                for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
                    JsonToken value = p.nextToken();
                    switch (name) {
                        case "at" -> at = text(p, value, ctxt);
                        case "from" -> from = text(p, value, ctxt);
                        case "to" -> to = text(p, value, ctxt);
                        case "source" -> source = text(p, value, ctxt);
                        case "commit_sha" -> commit = text(p, value, ctxt);
                        case "changed_files_count" -> changedFiles = value == JsonToken.VALUE_NULL ? 0
                                : ctxt.readValue(p, Integer.class);
                        default -> p.skipChildren();
                    }
                }
                builder.add(at, from, to, source, commit, changedFiles);
            }
            return builder.build();
        }

        @Override
        public History getNullValue(DeserializationContext ctxt) {
            return EMPTY;
        }

        private static String text(JsonParser p, JsonToken value, DeserializationContext ctxt) throws IOException {
            if (value == JsonToken.VALUE_NULL) {
                return null;
            }
            if (!value.isScalarValue()) {
                return (String) ctxt.handleUnexpectedToken(String.class, p);
            }
            return p.getText();
        }
    }

    @Override
    public Transition get(int index) {
        Objects.checkIndex(index, size());
        int at = index * WIDTH;
        return new Transition(timeText(index), decode(packed[at + 8], index, FROM), decode(packed[at + 9], index, TO),
                decode(packed[at + 10], index, SOURCE), commit(index), getInt(packed, at + 11));
    }

    @Override
    public int size() {
        return packed.length / WIDTH;
    }

    /**
     * The transition's time in epoch milliseconds without decoding it, for sorting; {@code null}
     * when its text is not a timestamp (kept as it was from an old data file).
     */
    public Long epochMilli(int index) {
        Objects.checkIndex(index, size());
        long millis = getLong(packed, index * WIDTH);
        if (millis != Long.MIN_VALUE) {
            return millis;
        }
        try {
            return Instant.parse(text[index * TEXT_FIELDS + AT]).toEpochMilli();
        } catch (DateTimeParseException | ArithmeticException e) {
            return null;
        }
    }

    /** The last {@code size} transitions. */
    public History newest(int count) {
        int n = size();
        if (n <= count) {
            return this;
        }
        int from = n - count;
        byte[] kept = Arrays.copyOfRange(packed, from * WIDTH, packed.length);
        String[] keptText = text == null ? null : Arrays.copyOfRange(text, from * TEXT_FIELDS, text.length);
        return new History(kept, keptText);
    }

    @Override
    public boolean equals(Object other) {
        if (other instanceof History h) { // the packed form is canonical
            return Arrays.equals(packed, h.packed) && Arrays.equals(text, h.text);
        }
        return super.equals(other);
    }

    @Override
    public int hashCode() {
        return super.hashCode();
    }

    /**
     * Epoch milliseconds whose standard text ({@code 2026-04-26T10:30:00Z}, or with three
     * fraction digits, as {@link Instant#toString()} writes it) is exactly {@code at};
     * {@link Long#MIN_VALUE} for any other text. Read by hand: a large data file holds millions.
     */
    static long packedTime(String at) {
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
        long days = java.time.LocalDate.of(year, month, day).toEpochDay();
        return ((days * 24 + hour) * 60 + minute) * 60_000L + second * 1000L + millis;
    }

    private static int lengthOfMonth(int year, int month) {
        return java.time.YearMonth.of(year, month).lengthOfMonth();
    }

    /** The number written by {@code count} digits at {@code from}; -1 when one is not a digit. */
    private static int digits(String s, int from, int count) {
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

    private String timeText(int index) {
        long millis = getLong(packed, index * WIDTH);
        return millis == Long.MIN_VALUE ? text[index * TEXT_FIELDS + AT] : timeText(millis);
    }

    /** {@link Instant#toString()} of whole seconds and milliseconds: no fraction, or three digits. */
    private static String timeText(long millis) {
        return Instant.ofEpochMilli(millis).toString();
    }

    private String decode(byte code, int index, int field) {
        if (code == AS_TEXT) {
            return text[index * TEXT_FIELDS + field];
        }
        return code == 0 ? null : CODES.get(code);
    }

    private String commit(int index) {
        int at = index * WIDTH;
        byte length = packed[at + 15];
        if (length == AS_TEXT) {
            return text[index * TEXT_FIELDS + COMMIT];
        }
        return length == 0 ? null : HEX.formatHex(packed, at + 16, at + 16 + length / 2);
    }

    private static boolean isLowerHex(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(c >= '0' && c <= '9') && !(c >= 'a' && c <= 'f')) {
                return false;
            }
        }
        return true;
    }

    private static void putLong(byte[] b, int at, long v) {
        LONG.set(b, at, v);
    }

    private static long getLong(byte[] b, int at) {
        return (long) LONG.get(b, at);
    }

    private static void putInt(byte[] b, int at, int v) {
        INT.set(b, at, v);
    }

    private static int getInt(byte[] b, int at) {
        return (int) INT.get(b, at);
    }
}
