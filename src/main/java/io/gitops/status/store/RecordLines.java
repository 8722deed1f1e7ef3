package io.gitops.status.store;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import io.gitops.status.api.StatusRecord;
import io.gitops.status.api.StoredRecordReader;
import io.gitops.status.json.Json;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The lines of a data file in the layout that {@link StoreFormat#write} gives it: a header line
 * ending in {@code "servers": {}, one record per line ({@code "<key>":{...},}, the last one
 * without the comma), and a last line {@code }}}. Reads a batch of such lines into records, for
 * {@link ParallelLoad}; safe to call from several threads at once.
 *
 * <p>Guarantee: it accepts a line only when the streaming reader of {@link StoreFormat} would read
 * the same record from it at that place: a plain key (printable ASCII, no escape, not too long),
 * a plain record ({@link StoredRecordReader}) with nothing after it but the comma, and a record
 * that {@link StoreFormat#normalize} takes. Anything else, a damaged line included, makes the
 * batch {@link Batch#refused() refused}: the caller reads the file the streaming way instead,
 * which finds out what it is.
 */
final class RecordLines {

    /** What a line is; the caller checks their order. */
    static final byte RECORD = 1;
    static final byte LAST_RECORD = 2;
    static final byte END = 3;

    /** Longer keys are left to the streaming reader (Jackson limits names; identities are short). */
    private static final int MAX_KEY_BYTES = 1024;
    private static final byte[] END_LINE = "}}".getBytes(StandardCharsets.US_ASCII);
    private static final Pattern HEADER = Pattern.compile("\\{\"version\": \"" + Pattern.quote(StoreFormat.VERSION)
            + "\", (?:\"folded\": \\{\"journal\": \"([0-9A-Za-z._:-]{1,200})\", \"bytes\": (0|[1-9][0-9]{0,17})\\}, )?"
            + "\"servers\": \\{");
    /** The application's parser settings without duplicate detection: {@link StoredRecordReader} detects them. */
    private static final JsonFactory FACTORY = Json.mapper().getFactory().rebuild()
            .disable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long NEWLINES = 0x0A0A0A0A0A0A0A0AL;

    private RecordLines() {
    }

    /** A batch of lines read: their kinds and the records of the record lines, in file order. */
    record Batch(byte[] kinds, List<String> keys, List<StatusRecord> records) {
        static final Batch REFUSED = new Batch(null, null, null);

        boolean refused() {
            return kinds == null;
        }
    }

    /** A header line as {@link StoreFormat#write} writes it, with its folded marker ({@code null}: none). */
    record Header(StoreFormat.Folded folded) {
    }

    /** The first line, {@code line[0, length)}, when it is a header as written; else {@code null}. */
    static Header header(byte[] line, int length) {
        Matcher m = HEADER.matcher(new String(line, 0, length, StandardCharsets.ISO_8859_1));
        if (!m.matches()) {
            return null;
        }
        return new Header(m.group(1) == null ? null : new StoreFormat.Folded(m.group(1), Long.parseLong(m.group(2))));
    }

    /** The lines of {@code bytes[0, length)}, each ended by {@code '\n'} except perhaps the file's last. */
    static Batch read(byte[] bytes, int length) {
        List<String> keys = new ArrayList<>();
        List<StatusRecord> records = new ArrayList<>();
        byte[] kinds = new byte[16];
        int lines = 0;
        for (int start = 0; start < length; lines++) {
            int end = endOfLine(bytes, start, length);
            byte kind = line(bytes, start, end, keys, records);
            if (kind == 0) {
                return Batch.REFUSED;
            }
            if (lines == kinds.length) {
                kinds = Arrays.copyOf(kinds, lines * 2);
            }
            kinds[lines] = kind;
            start = end + 1;
        }
        return new Batch(Arrays.copyOf(kinds, lines), keys, records);
    }

    /** Where the line from {@code from} ends: its {@code '\n'}, else {@code to}; eight bytes at a time. */
    static int endOfLine(byte[] b, int from, int to) {
        int i = from;
        for (; i + 8 <= to; i += 8) {
            long word = (long) LONGS.get(b, i) ^ NEWLINES;
            long zeroBytes = (word - 0x0101010101010101L) & ~word & 0x8080808080808080L;
            if (zeroBytes != 0) { // the lowest marked byte is a newline (marks above it may be false)
                return i + (Long.numberOfTrailingZeros(zeroBytes) >>> 3);
            }
        }
        while (i < to && b[i] != '\n') {
            i++;
        }
        return i;
    }

    /** Reads one line, adding its key and record; its kind, or 0 when it does not fit. */
    private static byte line(byte[] b, int start, int end, List<String> keys, List<StatusRecord> records) {
        if (Arrays.equals(b, start, end, END_LINE, 0, END_LINE.length)) {
            return END;
        }
        if (end - start < 4 || b[start] != '"') {
            return 0;
        }
        int keyEnd = start + 1;
        while (keyEnd < end && b[keyEnd] != '"') {
            if (b[keyEnd] < 0x20 || b[keyEnd] > 0x7e || b[keyEnd] == '\\' || keyEnd - start > MAX_KEY_BYTES) {
                return 0; // escapes, control characters, non-ASCII (negative bytes) or too long
            }
            keyEnd++;
        }
        int open = keyEnd + 1;
        if (open >= end || b[open++] != ':') {
            return 0;
        }
        if (open < end && b[open] == ' ') {
            open++;
        }
        boolean comma = b[end - 1] == ',';
        int close = comma ? end - 1 : end;
        if (open >= close || b[open] != '{' || b[close - 1] != '}') {
            return 0;
        }
        String key = new String(b, start + 1, keyEnd - start - 1, StandardCharsets.ISO_8859_1);
        try (JsonParser p = FACTORY.createParser(b, open, close - open)) {
            p.nextToken();
            StatusRecord record = StoredRecordReader.read(p);
            if (record == null || p.nextToken() != null) {
                return 0;
            }
            keys.add(key);
            records.add(StoreFormat.normalize(key, record));
        } catch (Exception e) {
            return 0; // damaged or unusual: the streaming reader tells which
        }
        return comma ? RECORD : LAST_RECORD;
    }
}
