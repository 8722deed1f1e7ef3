package io.gitops.status.store;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectWriter;
import io.gitops.status.api.StatusRecord;
import io.gitops.status.json.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * The append-only journal beside the data file ({@code status.json.journal}): the writes since the
 * data file was last rewritten, so that a write costs one append and one {@code fdatasync}
 * whatever the number of servers.
 *
 * <p>Format: one line per change, {@code <crc> <json>\n}, where {@code json} is
 * {@code {"put": {record}}} or {@code {"delete": "<server_group>/<host>"}} and {@code crc} the
 * CRC-32C of the JSON's UTF-8 bytes as eight lower-case hex digits. Lines are applied in order over
 * the data file's records: a record replaces the one with the same key, a delete removes it.
 *
 * <p>Recovery: a last line that is incomplete or fails its check is what a crash during an append
 * leaves; it was never acknowledged and is cut off. A bad line followed by good ones means the
 * journal is damaged: it is reported, never rewritten.
 */
final class Journal {

    static final String SUFFIX = ".journal";

    private static final ObjectWriter WRITER = Json.mapper().writerWithView(StatusRecord.Views.Storage.class);
    private static final HexFormat HEX = HexFormat.of();

    private Journal() {
    }

    /** One change: the record stored under {@code key}, or {@code null} when it was deleted. */
    record Entry(String key, StatusRecord record) {
        /** Applies the change to a map of records by key. */
        void applyTo(Map<String, StatusRecord> records) {
            if (record == null) {
                records.remove(key);
            } else {
                records.put(key, record);
            }
        }
    }

    /** The changes read from a journal, and the length of its valid part. */
    record Contents(List<Entry> entries, long validLength, boolean tornTail) {
    }

    /** Encodes changes (a {@code null} record: deleted) as journal lines. */
    static byte[] encode(Map<String, StatusRecord> changes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(changes.size() * 512);
        for (Map.Entry<String, StatusRecord> change : changes.entrySet()) {
            byte[] json;
            try {
                json = WRITER.writeValueAsBytes(change.getValue() == null
                        ? Map.of("delete", change.getKey()) : Map.of("put", change.getValue()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            CRC32C crc = new CRC32C();
            crc.update(json);
            out.writeBytes(HEX.toHexDigits((int) crc.getValue()).getBytes(StandardCharsets.US_ASCII));
            out.write(' ');
            out.writeBytes(json);
            out.write('\n');
        }
        return out.toByteArray();
    }

    /** Reads the journal from {@code offset}; a missing journal is empty. */
    static Contents read(Path journal, long offset) throws IOException, StoreFormat.DamagedFileException {
        byte[] bytes;
        try (FileChannel channel = FileChannel.open(journal, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size < offset) {
                throw new IllegalStateException("journal shrank below the read position");
            }
            ByteBuffer buffer = ByteBuffer.allocate(Math.toIntExact(size - offset));
            while (buffer.hasRemaining() && channel.read(buffer, offset + buffer.position()) >= 0) {
                // read until full
            }
            bytes = buffer.array();
        } catch (NoSuchFileException e) {
            return new Contents(List.of(), 0, false);
        }
        List<Entry> entries = new ArrayList<>();
        int start = 0;
        while (start < bytes.length) {
            int end = indexOf(bytes, (byte) '\n', start);
            Entry entry = end < 0 ? null : decode(bytes, start, end);
            if (entry == null) {
                if (end < 0 || end == bytes.length - 1) {
                    return new Contents(entries, offset + start, true);
                }
                throw new StoreFormat.DamagedFileException("journal " + journal + " has a damaged entry at byte "
                        + (offset + start) + " followed by further entries");
            }
            entries.add(entry);
            start = end + 1;
        }
        return new Contents(entries, offset + start, false);
    }

    /** Appends encoded lines at {@code position} and forces them to disk. */
    static void append(Path journal, long position, byte[] lines) throws IOException {
        try (FileChannel channel = FileChannel.open(journal, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            if (channel.size() != position) {
                // cut off a torn tail left by a crash (never acknowledged) before appending
                channel.truncate(position);
            }
            ByteBuffer buffer = ByteBuffer.wrap(lines);
            long at = position;
            while (buffer.hasRemaining()) {
                at += channel.write(buffer, at);
            }
            channel.force(false);
        }
    }

    /** The journal's bytes from {@code from} to {@code to}: entries to keep after a compaction. */
    static byte[] readBytes(Path journal, long from, long to) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(Math.toIntExact(to - from));
        try (FileChannel channel = FileChannel.open(journal, StandardOpenOption.READ)) {
            while (buffer.hasRemaining() && channel.read(buffer, from + buffer.position()) >= 0) {
                // read the whole range
            }
        }
        return buffer.array();
    }

    /** One line's change, or {@code null} when the line fails its check. */
    private static Entry decode(byte[] bytes, int start, int end) {
        if (end - start < 10 || bytes[start + 8] != ' ') {
            return null;
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes, start + 9, end - start - 9);
        int expected;
        try {
            expected = HEX.fromHexDigits(new String(bytes, start, 8, StandardCharsets.US_ASCII));
        } catch (IllegalArgumentException e) {
            return null;
        }
        if ((int) crc.getValue() != expected) {
            return null;
        }
        try {
            JsonNode line = Json.mapper().readTree(bytes, start + 9, end - start - 9);
            JsonNode deleted = line.get("delete");
            if (deleted != null) {
                return deleted.isTextual() ? new Entry(deleted.textValue(), null) : null;
            }
            JsonNode put = line.get("put");
            if (put == null) {
                return null;
            }
            StatusRecord record = StoreFormat.readRecord("journal entry", put);
            return new Entry(record.key(), record);
        } catch (JacksonException | StoreFormat.DamagedFileException e) {
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int indexOf(byte[] bytes, byte b, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }
}
