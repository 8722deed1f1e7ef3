package io.gitops.status.store;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gitops.status.api.StatusRecord;
import io.gitops.status.api.Refusal;
import io.gitops.status.json.Json;
import io.gitops.status.update.LegacyUpdate;
import io.gitops.status.api.Timestamps;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The data file's format, the seed's: {@code {"version": "2.0", "servers": {"<group>/<host>": {...}}}},
 * each record with every field but the derived {@code changed_files_count}.
 *
 * <p>Reading also accepts v1 data (a v1 object, an array of them, or an object mapping any key to
 * them), converted with the v1 mapping of {@link LegacyUpdate}. Anything else is damaged and is
 * reported, never repaired.
 */
final class StoreFormat {

    static final String VERSION = "2.0";

    private static final ObjectWriter WRITER = Json.mapper().writerWithView(StatusRecord.Views.Storage.class);
    /** Reads one record in the middle of the file: the rest of the file follows it. */
    private static final ObjectReader RECORD_READER = Json.mapper().readerFor(StatusRecord.class)
            .without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private StoreFormat() {
    }

    /** What a data file holds; {@code fromV1} when it must be rewritten in the v2 format. */
    record Contents(Map<String, StatusRecord> records, boolean fromV1) {
    }

    /** A data file that cannot be read as v2 or v1 data. */
    static final class DamagedFileException extends Exception {
        DamagedFileException(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * The data file's bytes: compact JSON with one record per line, so that the file stays small,
     * quick to read, and easy to grep and diff.
     */
    static byte[] write(Collection<StatusRecord> records) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(records.size() * 600 + 64);
        try {
            write(records, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static void write(Collection<StatusRecord> records, OutputStream out) throws IOException {
        out.write(("{\"version\": \"" + VERSION + "\", \"servers\": {").getBytes(StandardCharsets.UTF_8));
        boolean first = true;
        for (StatusRecord record : records.stream().sorted(StatusRecord.ORDER).toList()) {
            out.write((first ? "\n" : ",\n").getBytes(StandardCharsets.UTF_8));
            out.write(Json.mapper().writeValueAsBytes(record.key()));
            out.write(':');
            out.write(WRITER.writeValueAsBytes(record));
            first = false;
        }
        out.write("\n}}\n".getBytes(StandardCharsets.UTF_8));
    }

    static Contents read(byte[] bytes, String now) throws DamagedFileException {
        if (isBlank(bytes)) {
            return new Contents(Map.of(), false);
        }
        try {
            Map<String, StatusRecord> records = readV2Streaming(bytes);
            if (records != null) {
                return new Contents(records, false);
            }
            JsonNode root = Json.mapper().readTree(bytes);
            if (root.isObject() && root.has("version")) {
                JsonNode version = root.get("version");
                if (!version.isTextual() || !version.textValue().equals(VERSION)) {
                    throw new DamagedFileException("unknown data file version " + version
                            + "; this service reads version \"" + VERSION + "\" and v1 data");
                }
                return new Contents(readV2(root.get("servers")), false);
            }
            return new Contents(readV1(root, now), true);
        } catch (JacksonException e) {
            throw new DamagedFileException("not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The fast path for the usual file, {@code {"version": "2.0", "servers": {...}, ...}} with
     * {@code version} first: the records are read one by one, without building a tree of the whole
     * file. Returns {@code null} for any other shape, which the general path then reads.
     */
    private static Map<String, StatusRecord> readV2Streaming(byte[] bytes) throws IOException, DamagedFileException {
        try (JsonParser parser = Json.mapper().createParser(bytes)) {
            if (parser.nextToken() != JsonToken.START_OBJECT || !"version".equals(parser.nextFieldName())
                    || parser.nextToken() != JsonToken.VALUE_STRING || !VERSION.equals(parser.getText())) {
                return null;
            }
            Map<String, StatusRecord> records = null;
            for (String field = parser.nextFieldName(); field != null; field = parser.nextFieldName()) {
                JsonToken value = parser.nextToken();
                if (!field.equals("servers")) {
                    parser.skipChildren();
                    continue;
                }
                if (value != JsonToken.START_OBJECT) {
                    throw new DamagedFileException("\"servers\" must be an object of records");
                }
                records = new HashMap<>();
                for (String key = parser.nextFieldName(); key != null; key = parser.nextFieldName()) {
                    if (parser.nextToken() != JsonToken.START_OBJECT) {
                        throw new DamagedFileException("record " + key + " is not an object");
                    }
                    StatusRecord record = normalize(key, RECORD_READER.readValue(parser));
                    records.put(record.key(), record);
                }
            }
            if (parser.currentToken() != JsonToken.END_OBJECT || parser.nextToken() != null) {
                throw new DamagedFileException("unexpected content after the data");
            }
            if (records == null) {
                throw new DamagedFileException("\"servers\" must be an object of records");
            }
            return records;
        }
    }

    private static boolean isBlank(byte[] bytes) {
        for (byte b : bytes) {
            if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
                return false;
            }
        }
        return true;
    }

    private static Map<String, StatusRecord> readV2(JsonNode servers) throws DamagedFileException {
        if (servers == null || !servers.isObject()) {
            throw new DamagedFileException("\"servers\" must be an object of records");
        }
        Map<String, StatusRecord> records = new HashMap<>();
        for (Map.Entry<String, JsonNode> entry : servers.properties()) {
            StatusRecord record = readRecord(entry.getKey(), entry.getValue());
            records.put(record.key(), record);
        }
        return records;
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
     * A record as read, completed and normalised: identity from the key when missing, and older
     * writers' (the Flask service's) zone-less timestamps and upper-case values.
     */
    private static StatusRecord normalize(String key, StatusRecord r) throws DamagedFileException {
        int slash = key.indexOf('/');
        String group = r.serverGroup() != null ? r.serverGroup() : slash > 0 ? key.substring(0, slash) : null;
        String host = r.host() != null ? r.host() : slash > 0 ? key.substring(slash + 1) : null;
        if (group == null || host == null) {
            throw new DamagedFileException("record " + key + " has no server_group and host");
        }
        return new StatusRecord(group, host, r.projectName(), r.repoName(), r.serverType(), r.environment(),
                lower(r.status()), r.changedFiles(), lower(r.validationStatus()), r.validationMessage(),
                r.commitSha(), r.branch(), r.updatedBy(), r.labels(),
                Timestamps.normalizeStored(r.lastPipelineRun()), Timestamps.normalizeStored(r.lastCronCheck()),
                Timestamps.normalizeStored(r.timestamp()), r.writtenByToken(), r.history());
    }

    private static Map<String, StatusRecord> readV1(JsonNode root, String now) throws DamagedFileException {
        List<JsonNode> objects = new ArrayList<>();
        if (LegacyUpdate.looksLikeV1(root)) {
            objects.add(root);
        } else if (root.isArray() || root.isObject()) {
            for (JsonNode element : root) {
                if (!LegacyUpdate.looksLikeV1(element)) {
                    throw new DamagedFileException("neither a version \"" + VERSION
                            + "\" data file nor v1 data (v1 objects carry repo, server and sync_status)");
                }
                objects.add(element);
            }
        } else {
            throw new DamagedFileException("neither a version \"" + VERSION + "\" data file nor v1 data");
        }
        Map<String, StatusRecord> records = new HashMap<>();
        for (JsonNode object : objects) {
            try {
                LegacyUpdate update = LegacyUpdate.parse((ObjectNode) object);
                records.put(update.key(), update.applyTo(records.get(update.key()), now));
            } catch (Refusal e) {
                throw new DamagedFileException("v1 entry " + object.get("repo") + "/" + object.get("server")
                        + " cannot be converted: " + e.getMessage());
            }
        }
        return records;
    }

    private static String lower(String value) {
        return value == null ? null : value.toLowerCase(Locale.ROOT);
    }
}
