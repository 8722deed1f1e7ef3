package io.gitops.status.store;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import io.gitops.status.api.History;
import io.gitops.status.api.StatusRecord;
import io.gitops.status.api.Transition;
import io.gitops.status.json.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * One change of the journal ({@link Journal}) and its line: the record stored under {@code key},
 * or {@code null} when it was deleted. With {@code historyKeep} set, the record's history is that
 * of the record it replaces followed by {@code historyAdded}, of which the last {@code historyKeep}
 * transitions are kept: a record's history changes by at most a transition per write, so a line
 * stays a few hundred bytes instead of carrying the whole history on every write.
 *
 * <p>Line format: {@code <crc> <json>\n}, where {@code json} is {@code {"put": {record}}},
 * {@code {"put": {record, "history": []}, "history_added": [...], "history_keep": N}},
 * {@code {"delete": "<server_group>/<host>"}}, or, as the journal's first line only,
 * {@code {"journal": "<id>"}}; {@code crc} is the CRC-32C of the JSON's UTF-8 bytes as eight
 * lower-case hex digits.
 */
record JournalEntry(String key, StatusRecord record, List<Transition> historyAdded, Integer historyKeep) {

    private static final ObjectWriter WRITER = Json.mapper().writerWithView(StatusRecord.Views.Storage.class);
    private static final HexFormat HEX = HexFormat.of();
    private static final ObjectReader HISTORY_READER = Json.mapper()
            .readerFor(new TypeReference<List<Transition>>() { });

    JournalEntry(String key, StatusRecord record) {
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
    static JournalEntry of(String key, StatusRecord replaced, StatusRecord next) {
        if (next == null) {
            return new JournalEntry(key, null);
        }
        List<Transition> before = replaced == null ? List.of() : replaced.history();
        List<Transition> after = next.history();
        for (int added = 0; added <= Math.min(2, after.size()); added++) {
            List<Transition> kept = after.subList(0, after.size() - added);
            if (kept.size() <= before.size()
                    && kept.equals(before.subList(before.size() - kept.size(), before.size()))) {
                return new JournalEntry(key, next.withWriter(next.writtenByToken(), List.of()),
                        List.copyOf(after.subList(after.size() - added, after.size())), after.size());
            }
        }
        return new JournalEntry(key, next);
    }

    /** The journal's first line, naming it: a data file records which journal it folded. */
    static byte[] header(String journalId) {
        return line(Map.of("journal", journalId));
    }

    /** Encodes changes as journal lines. */
    static byte[] encode(List<JournalEntry> changes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(changes.size() * 512);
        for (JournalEntry change : changes) {
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
            out.writeBytes(line(line));
        }
        return out.toByteArray();
    }

    private static byte[] line(Object value) {
        byte[] json;
        try {
            json = WRITER.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        CRC32C crc = new CRC32C();
        crc.update(json);
        ByteArrayOutputStream out = new ByteArrayOutputStream(json.length + 10);
        out.writeBytes(HEX.toHexDigits((int) crc.getValue()).getBytes(StandardCharsets.US_ASCII));
        out.write(' ');
        out.writeBytes(json);
        out.write('\n');
        return out.toByteArray();
    }

    /** What a line holds: a change, the journal's name (its first line), or nothing valid. */
    sealed interface Line permits Change, Header, Invalid {
    }

    record Change(JournalEntry entry) implements Line {
    }

    record Header(String journalId) implements Line {
    }

    enum Invalid implements Line {
        LINE
    }

    /** The line from {@code start} to {@code end} (its {@code \n}, excluded). */
    static Line decode(byte[] bytes, int start, int end) {
        if (end - start < 10 || bytes[start + 8] != ' ') {
            return Invalid.LINE;
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes, start + 9, end - start - 9);
        int expected;
        try {
            expected = HEX.fromHexDigits(new String(bytes, start, 8, StandardCharsets.US_ASCII));
        } catch (IllegalArgumentException e) {
            return Invalid.LINE;
        }
        if ((int) crc.getValue() != expected) {
            return Invalid.LINE;
        }
        try {
            return decode(Json.mapper().readTree(bytes, start + 9, end - start - 9));
        } catch (JacksonException | StoreFormat.DamagedFileException e) {
            return Invalid.LINE;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Line decode(JsonNode line) throws IOException, StoreFormat.DamagedFileException {
        JsonNode journal = line.get("journal");
        if (journal != null) {
            return journal.isTextual() ? new Header(journal.textValue()) : Invalid.LINE;
        }
        JsonNode deleted = line.get("delete");
        if (deleted != null) {
            return deleted.isTextual() ? new Change(new JournalEntry(deleted.textValue(), null)) : Invalid.LINE;
        }
        JsonNode put = line.get("put");
        if (put == null) {
            return Invalid.LINE;
        }
        StatusRecord record = StoreFormat.readRecord("journal entry", put);
        JsonNode keep = line.get("history_keep");
        if (keep == null) {
            return new Change(new JournalEntry(record.key(), record));
        }
        JsonNode addedNode = line.get("history_added");
        if (!keep.canConvertToInt() || keep.intValue() < 0 || addedNode == null || !addedNode.isArray()) {
            return Invalid.LINE;
        }
        List<Transition> added = HISTORY_READER.readValue(addedNode);
        return new Change(new JournalEntry(record.key(), record, History.of(added), keep.intValue()));
    }
}
