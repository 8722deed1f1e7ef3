package io.gitops.status.api;

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

    static final History EMPTY = new History(new byte[0], null);

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

    /**
     * Packs transitions one by one, without a {@link Transition} object each (see {@link
     * HistoryJsonReader}): with {@link #add}, or field by field from {@link #begin} to {@link #end},
     * each field at most once and any left out {@code null} (no changed files), which packs the
     * same as {@link #add} of the same values. Values are read as text and copied only when kept
     * as text, so that a reader can hand in its parser's buffer ({@link StoredRecordReader}).
     */
    static final class Builder {
        private byte[] packed;
        private String[] text;
        private int size;
        /** Where the transition being built starts, and whether its time was given. */
        private int offset;
        private boolean atGiven;

        Builder(int expected) {
            packed = new byte[Math.max(1, expected) * WIDTH];
        }

        void add(String at, String from, String to, String source, String commit, int changedFilesCount) {
            begin();
            if (at != null) {
                at(at);
            }
            status(FROM, from);
            status(TO, to);
            status(SOURCE, source);
            commit(commit);
            changedFiles(changedFilesCount);
            end();
        }

        /** Starts a transition whose fields are all {@code null}, with no changed files, until given. */
        void begin() {
            if ((size + 1) * WIDTH > packed.length) {
                packed = Arrays.copyOf(packed, packed.length * 2);
                text = text == null ? null : Arrays.copyOf(text, packed.length / WIDTH * TEXT_FIELDS);
            }
            offset = size * WIDTH;
            Arrays.fill(packed, offset, offset + WIDTH, (byte) 0); // null codes and commit, no changed files
            atGiven = false;
        }

        void at(CharSequence at) {
            long millis = PackedTime.of(at);
            if (millis == Long.MIN_VALUE) {
                keep(AT, at.toString());
            }
            putLong(packed, offset, millis);
            atGiven = true;
        }

        void from(CharSequence value) {
            status(FROM, value);
        }

        void to(CharSequence value) {
            status(TO, value);
        }

        void source(CharSequence value) {
            status(SOURCE, value);
        }

        void commit(CharSequence commit) {
            packed[offset + 15] = packCommit(commit, offset + 16);
        }

        void changedFiles(int count) {
            putInt(packed, offset + 11, count);
        }

        /** Ends the transition begun; a time not given is {@code null}, kept as text. */
        void end() {
            if (!atGiven) {
                putLong(packed, offset, Long.MIN_VALUE);
                keep(AT, null);
            }
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

        private void status(int field, CharSequence value) {
            packed[offset + 8 + field - FROM] = code(field, value);
        }

        private byte code(int field, CharSequence value) {
            if (value == null) {
                return 0;
            }
            for (int code = 1; code < CODES.size(); code++) {
                if (CODES.get(code).contentEquals(value)) {
                    return (byte) code;
                }
            }
            keep(field, value.toString());
            return AS_TEXT;
        }

        /** The commit's length in hex digits when packed at {@code at}, else {@code AS_TEXT}. */
        private byte packCommit(CharSequence commit, int at) {
            if (commit == null) {
                return 0;
            }
            int length = commit.length();
            if (length == 0 || length > MAX_PACKED_COMMIT || length % 2 != 0) {
                keep(COMMIT, commit.toString());
                return AS_TEXT;
            }
            for (int i = 0; i < length; i += 2) {
                int high = lowerHexDigit(commit.charAt(i));
                int low = lowerHexDigit(commit.charAt(i + 1));
                if (high < 0 || low < 0) {
                    Arrays.fill(packed, at, at + MAX_PACKED_COMMIT / 2, (byte) 0);
                    keep(COMMIT, commit.toString());
                    return AS_TEXT;
                }
                packed[at + i / 2] = (byte) (high << 4 | low);
            }
            return (byte) length;
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

    /** The value of a lower-case hex digit; -1 for any other character. */
    private static int lowerHexDigit(char c) {
        return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
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
