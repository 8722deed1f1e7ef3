package io.gitops.status.api;

import static io.gitops.status.api.History.AS_TEXT;
import static io.gitops.status.api.History.AT;
import static io.gitops.status.api.History.CODES;
import static io.gitops.status.api.History.COMMIT;
import static io.gitops.status.api.History.FROM;
import static io.gitops.status.api.History.MAX_PACKED_COMMIT;
import static io.gitops.status.api.History.SOURCE;
import static io.gitops.status.api.History.TEXT_FIELDS;
import static io.gitops.status.api.History.TO;
import static io.gitops.status.api.History.WIDTH;
import static io.gitops.status.api.History.putInt;
import static io.gitops.status.api.History.putLong;

import java.util.Arrays;

/**
 * Packs transitions into a {@link History} one by one, without a {@link Transition} object each
 * (see {@link HistoryJsonReader}): with {@link #add}, or field by field from {@link #begin} to {@link #end},
 * each field at most once and any left out {@code null} (no changed files), which packs the
 * same as {@link #add} of the same values. Values are read as text and copied only when kept
 * as text, so that a reader can hand in its parser's buffer ({@link StoredRecordReader}).
 * Not for sharing between threads.
 */
final class HistoryBuilder {
    private byte[] packed;
    private String[] text;
    private int size;
    /** Where the transition being built starts, and whether its time was given. */
    private int offset;
    private boolean atGiven;

    HistoryBuilder(int expected) {
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
            return History.EMPTY;
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

    /** The value of a lower-case hex digit; -1 for any other character. */
    private static int lowerHexDigit(char c) {
        return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    }
}
