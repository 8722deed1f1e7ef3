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
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The append-only journal beside the data file ({@code status.json.journal}): the writes since the
 * data file was last rewritten, so that a write costs one append and one {@code fdatasync}
 * whatever the number of servers.
 *
 * <p>Format: one line per written record, {@code <crc> <json>\n}, where {@code json} is
 * {@code {"put": {record}}} and {@code crc} the CRC-32C of the JSON's UTF-8 bytes as eight
 * lower-case hex digits. Lines are applied in order over the data file's records; a record
 * replaces the one with the same key.
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

    /** The records read from a journal, and the length of its valid part. */
    record Contents(List<StatusRecord> records, long validLength, boolean tornTail) {
    }

    /** Encodes records as journal lines. */
    static byte[] encode(Collection<StatusRecord> records) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(records.size() * 512);
        for (StatusRecord record : records) {
            byte[] json;
            try {
                json = WRITER.writeValueAsBytes(java.util.Map.of("put", record));
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
        List<StatusRecord> records = new ArrayList<>();
        int start = 0;
        while (start < bytes.length) {
            int end = indexOf(bytes, (byte) '\n', start);
            StatusRecord record = end < 0 ? null : decode(bytes, start, end);
            if (record == null) {
                if (end < 0 || end == bytes.length - 1) {
                    return new Contents(records, offset + start, true);
                }
                throw new StoreFormat.DamagedFileException("journal " + journal + " has a damaged entry at byte "
                        + (offset + start) + " followed by further entries");
            }
            records.add(record);
            start = end + 1;
        }
        return new Contents(records, offset + start, false);
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

    /** One line's record, or {@code null} when the line fails its check. */
    private static StatusRecord decode(byte[] bytes, int start, int end) {
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
            JsonNode put = Json.mapper().readTree(bytes, start + 9, end - start - 9).get("put");
            return put == null ? null : StoreFormat.readRecord("journal entry", put);
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
