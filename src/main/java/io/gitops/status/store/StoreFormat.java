package io.gitops.status.store;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import io.gitops.status.api.Enumerations;
import io.gitops.status.api.StatusRecord;
import io.gitops.status.api.Timestamps;
import io.gitops.status.json.Json;
import io.gitops.status.update.BodyFields;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.function.Consumer;

/**
 * The data file's format, the seed's: {@code {"version": "2.0", "servers": {"<group>/<host>": {...}}}},
 * each record with every field but the derived {@code changed_files_count}, one record per line.
 * A file written by a compaction also names the journal it folded and how much of it:
 * {@code "folded": {"journal": "<id>", "bytes": N}} (see {@link Journal}).
 *
 * <p>Files are read and written streaming, a record at a time: a data file of any size needs no
 * more memory than its records. A record whose identity breaks the input rules makes the file
 * damaged, as does anything else that is not v2 data; v1 data is left to {@link V1Migration}.
 */
final class StoreFormat {

    static final String VERSION = "2.0";
    private static final int READ_BUFFER_BYTES = 1 << 20;

    private static final ObjectWriter WRITER = Json.mapper().writerWithView(StatusRecord.Views.Storage.class);
    /** Reads one record in the middle of the file: the rest of the file follows it. */
    private static final ObjectReader RECORD_READER = Json.mapper().readerFor(StatusRecord.class)
            .without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final ObjectReader TREE_READER = Json.mapper().readerFor(JsonNode.class)
            .without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private StoreFormat() {
    }

    /** The part of a journal that a data file already holds. */
    record Folded(String journalId, long bytes) {
    }

    /** What reading a data file found: v2 data ({@code folded} may be null), or v1 data to migrate. */
    record Contents(Folded folded, boolean isV1) {
    }

    /** A data file's folded marker and records, in file order, as {@link ParallelLoad} read them. */
    record Loaded(Folded folded, List<StatusRecord> records) {
    }

    /** A data file that cannot be read as v2 or v1 data. */
    static final class DamagedFileException extends Exception {
        DamagedFileException(String message) {
            super(message, null, false, false);
        }
    }

    static void write(Collection<StatusRecord> records, Folded folded, OutputStream out) throws IOException {
        write(records.stream().sorted(StatusRecord.ORDER).iterator(), folded, out);
    }

    /** Writes records given in {@link StatusRecord#ORDER}, one at a time. */
    static void write(Iterator<StatusRecord> sorted, Folded folded, OutputStream out) throws IOException {
        StringBuilder head = new StringBuilder("{\"version\": \"" + VERSION + "\", ");
        if (folded != null) {
            head.append("\"folded\": {\"journal\": ").append(Json.mapper().writeValueAsString(folded.journalId()))
                    .append(", \"bytes\": ").append(folded.bytes()).append("}, ");
        }
        out.write(head.append("\"servers\": {").toString().getBytes(StandardCharsets.UTF_8));
        boolean first = true;
        while (sorted.hasNext()) {
            StatusRecord record = sorted.next();
            out.write((first ? "\n" : ",\n").getBytes(StandardCharsets.UTF_8));
            out.write(Json.mapper().writeValueAsBytes(record.key()));
            out.write(':');
            out.write(WRITER.writeValueAsBytes(record));
            first = false;
        }
        out.write("\n}}\n".getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Reads a v2 data file's records into {@code each}, in file order; a missing or blank file has
     * none. Returns {@code isV1} without reading records when the file holds v1 data. A file in
     * the layout that {@link #write} gives it is read on all cores ({@link ParallelLoad}); any
     * other file, or one that the parallel reader refuses, the streaming way, with the same result.
     */
    static Contents read(Path file, Consumer<StatusRecord> each) throws IOException, DamagedFileException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            Loaded loaded = ParallelLoad.read(channel);
            if (loaded != null) {
                loaded.records().forEach(each);
                return new Contents(loaded.folded(), false);
            }
            channel.position(0);
            return readStreaming(Channels.newInputStream(channel), each);
        } catch (NoSuchFileException e) {
            return new Contents(null, false);
        }
    }

    /** Reads the data file the streaming way, one token after another; {@link #read} without {@link ParallelLoad}. */
    static Contents readStreaming(InputStream stream, Consumer<StatusRecord> each)
            throws IOException, DamagedFileException {
        try (InputStream in = new BufferedInputStream(stream, READ_BUFFER_BYTES);
                JsonParser parser = Json.mapper().createParser(in)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                return new Contents(null, false);
            }
            if (first != JsonToken.START_OBJECT || !"version".equals(parser.nextFieldName())) {
                return new Contents(null, true); // v1, or a v2 file of another shape: V1Migration reads it
            }
            JsonToken version = parser.nextToken();
            if (version != JsonToken.VALUE_STRING || !VERSION.equals(parser.getText())) {
                throw new DamagedFileException("unknown data file version " + parser.getText()
                        + "; this service reads version \"" + VERSION + "\" and v1 data");
            }
            return new Contents(readRest(parser, each), false);
        } catch (JacksonException e) {
            throw new DamagedFileException("not valid JSON: " + e.getOriginalMessage());
        }
    }

    /** The fields after {@code version}: {@code servers} streamed record by record, {@code folded}. */
    private static Folded readRest(JsonParser parser, Consumer<StatusRecord> each)
            throws IOException, DamagedFileException {
        Folded folded = null;
        boolean servers = false;
        for (String field = parser.nextFieldName(); field != null; field = parser.nextFieldName()) {
            JsonToken value = parser.nextToken();
            if (field.equals("folded")) {
                folded = readFolded(TREE_READER.readValue(parser));
            } else if (field.equals("servers")) {
                if (value != JsonToken.START_OBJECT) {
                    throw new DamagedFileException("\"servers\" must be an object of records");
                }
                for (String key = parser.nextFieldName(); key != null; key = parser.nextFieldName()) {
                    if (parser.nextToken() != JsonToken.START_OBJECT) {
                        throw new DamagedFileException("record " + key + " is not an object");
                    }
                    each.accept(normalize(key, RECORD_READER.readValue(parser)));
                }
                servers = true;
            } else {
                parser.skipChildren();
            }
        }
        if (parser.currentToken() != JsonToken.END_OBJECT || parser.nextToken() != null) {
            throw new DamagedFileException("unexpected content after the data");
        }
        if (!servers) {
            throw new DamagedFileException("\"servers\" must be an object of records");
        }
        return folded;
    }

    private static Folded readFolded(JsonNode node) throws DamagedFileException {
        JsonNode journal = node == null ? null : node.get("journal");
        JsonNode bytes = node == null ? null : node.get("bytes");
        if (journal == null || !journal.isTextual() || bytes == null || !bytes.canConvertToLong() || bytes.longValue() < 0) {
            throw new DamagedFileException("\"folded\" must be {\"journal\": \"<id>\", \"bytes\": N}");
        }
        return new Folded(journal.textValue(), bytes.longValue());
    }

    static StatusRecord readRecord(String key, JsonNode node) throws DamagedFileException {
        if (!node.isObject()) {
            throw new DamagedFileException("record " + key + " is not an object");
        }
        try {
            return normalize(key, Json.mapper().treeToValue(node, StatusRecord.class));
        } catch (JacksonException e) {
            throw new DamagedFileException("record " + key + " cannot be read: " + e.getOriginalMessage());
        }
    }

    /**
     * A record as read, completed, checked and normalised: identity from the key when missing and
     * held to the input rules, and older writers' (the Flask service's) zone-less timestamps and
     * upper-case values.
     */
    static StatusRecord normalize(String key, StatusRecord r) throws DamagedFileException {
        int slash = key.indexOf('/');
        String group = r.serverGroup() != null ? r.serverGroup() : slash > 0 ? key.substring(0, slash) : null;
        String host = r.host() != null ? r.host() : slash > 0 ? key.substring(slash + 1) : null;
        if (group == null || host == null) {
            throw new DamagedFileException("record " + key + " has no server_group and host");
        }
        if (!BodyFields.isIdentity(group) || !BodyFields.isIdentity(host)) {
            throw new DamagedFileException("record " + key + " has a server_group or host that breaks the rules"
                    + " for names (1-" + BodyFields.MAX_IDENTITY_LENGTH + " letters, digits, '.', '_', ':', '-')");
        }
        return new StatusRecord(group, host, r.projectName(), r.repoName(), r.serverType(),
                r.environment(), Enumerations.fold(r.status()), r.changedFiles(),
                Enumerations.fold(r.validationStatus()), r.validationMessage(), r.commitSha(), r.branch(),
                r.updatedBy(), r.labels(), Timestamps.normalizeStored(r.lastPipelineRun()),
                Timestamps.normalizeStored(r.lastCronCheck()), Timestamps.normalizeStored(r.timestamp()),
                r.writtenByToken(), r.history());
    }
}
