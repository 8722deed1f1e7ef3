package io.gitops.status.store;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import io.gitops.status.api.StatusRecord;
import io.gitops.status.api.Transition;
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
import java.util.LinkedHashMap;
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
 * <p>A record's history changes by at most a transition per write, so a put whose history
 * continues the one it replaces carries only the new transitions:
 * {@code {"put": {record, "history": []}, "history_added": [...], "history_keep": N}} means the
 * replaced record's history, then the added transitions, of which the last N are kept. Lines stay
 * a few hundred bytes instead of carrying every record's whole history on every write.
 *
 * <p>Recovery: a last line that is incomplete or fails its check is what a crash during an append
 * leaves; it was never acknowledged and is cut off. A bad line followed by good ones means the
 * journal is damaged: it is reported, never rewritten.
 */
final class Journal {

    static final String SUFFIX = ".journal";

    private static final ObjectWriter WRITER = Json.mapper().writerWithView(StatusRecord.Views.Storage.class);
    private static final HexFormat HEX = HexFormat.of();
    private static final ObjectReader HISTORY_READER = Json.mapper()
            .readerFor(new TypeReference<List<Transition>>() { });

    private Journal() {
    }

    /**
     * One change: the record stored under {@code key}, or {@code null} when it was deleted. With
     * {@code historyKeep} set, the record's history is that of the record it replaces followed by
     * {@code historyAdded}, of which the last {@code historyKeep} transitions are kept.
     */
    record Entry(String key, StatusRecord record, List<Transition> historyAdded, Integer historyKeep) {

        Entry(String key, StatusRecord record) {
            this(key, record, null, null);
        }

        /** Applies the change to a map of records by key. */
        void applyTo(Map<String, StatusRecord> records) {
            if (record == null) {
                records.remove(key);
            } else if (historyKeep == null) {
                records.put(key, record);
            } else {
                StatusRecord replaced = records.get(key);
                List<Transition> history = new ArrayList<>(replaced == null ? List.of() : replaced.history());
                history.addAll(historyAdded);
                records.put(key, record.withWriter(record.writtenByToken(),
                        history.subList(Math.max(0, history.size() - historyKeep), history.size())));
            }
        }

        /**
         * The change from {@code replaced} to {@code next}: with only the transitions added when
         * {@code next}'s history continues {@code replaced}'s, else the whole record.
         */
        static Entry of(String key, StatusRecord replaced, StatusRecord next) {
            if (next == null) {
                return new Entry(key, null);
            }
            List<Transition> before = replaced == null ? List.of() : replaced.history();
            List<Transition> after = next.history();
            for (int added = 0; added <= Math.min(2, after.size()); added++) {
                List<Transition> kept = after.subList(0, after.size() - added);
                if (kept.size() <= before.size() && kept.equals(before.subList(before.size() - kept.size(), before.size()))) {
                    return new Entry(key, next.withWriter(next.writtenByToken(), List.of()),
                            after.subList(after.size() - added, after.size()), after.size());
                }
            }
            return new Entry(key, next);
        }
    }

    /** The changes read from a journal, and the length of its valid part. */
    record Contents(List<Entry> entries, long validLength, boolean tornTail) {
    }

    /** Encodes changes as journal lines. */
    static byte[] encode(List<Entry> changes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(changes.size() * 512);
        for (Entry change : changes) {
            Map<String, Object> line = new LinkedHashMap<>();
            if (change.record() == null) {
                line.put("delete", change.key());
            } else {
                line.put("put", change.record());
                if (change.historyKeep() != null) {
                    line.put("history_added", change.historyAdded());
                    line.put("history_keep", change.historyKeep());
                }
            }
            byte[] json;
            try {
                json = WRITER.writeValueAsBytes(line);
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
            JsonNode keep = line.get("history_keep");
            if (keep == null) {
                return new Entry(record.key(), record);
            }
            JsonNode addedNode = line.get("history_added");
            if (!keep.canConvertToInt() || keep.intValue() < 0 || addedNode == null || !addedNode.isArray()) {
                return null;
            }
            List<Transition> added = HISTORY_READER.readValue(addedNode);
            return new Entry(record.key(), record, added, keep.intValue());
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
