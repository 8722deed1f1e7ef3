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
    static final List<String> CODES = List.of("", "synced", "out_of_sync", "failed", "unknown",
            "pipeline", "cron", "legacy");
    static final byte AS_TEXT = (byte) 0xFF;
    static final int MAX_PACKED_COMMIT = 40;
    static final int WIDTH = 8 + 3 + 4 + 1 + MAX_PACKED_COMMIT / 2;
    /** Fields that may be kept as text, per transition. */
    static final int AT = 0;
    static final int FROM = 1;
    static final int TO = 2;
    static final int SOURCE = 3;
    static final int COMMIT = 4;
    static final int TEXT_FIELDS = 5;
    private static final HexFormat HEX = HexFormat.of();
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);

    private final byte[] packed;
    /** Per transition, {@value #TEXT_FIELDS} slots for values kept as text; {@code null} when none is. */
    private final String[] text;

    History(byte[] packed, String[] text) {
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
        HistoryBuilder builder = new HistoryBuilder(transitions.size());
        for (Transition t : transitions) {
            Objects.requireNonNull(t, "transition");
            builder.add(t.at(), t.from(), t.to(), t.source(), t.commitSha(), t.changedFilesCount());
        }
        return builder.build();
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

    static void putLong(byte[] b, int at, long v) {
        LONG.set(b, at, v);
    }

    private static long getLong(byte[] b, int at) {
        return (long) LONG.get(b, at);
    }

    static void putInt(byte[] b, int at, int v) {
        INT.set(b, at, v);
    }

    private static int getInt(byte[] b, int at) {
        return (int) INT.get(b, at);
    }
}
