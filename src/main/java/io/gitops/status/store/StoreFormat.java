package io.gitops.status.store;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gitops.status.api.StatusRecord;
import io.gitops.status.error.ApiException;
import io.gitops.status.json.Json;
import io.gitops.status.update.LegacyUpdate;
import io.gitops.status.update.Timestamps;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
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

    private static final ObjectWriter WRITER = Json.mapper()
            .writerWithView(StatusRecord.Views.Storage.class)
            .withDefaultPrettyPrinter();

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

    static byte[] write(Collection<StatusRecord> records) {
        Map<String, StatusRecord> servers = new LinkedHashMap<>();
        records.stream().sorted(StatusRecord.ORDER).forEach(r -> servers.put(r.key(), r));
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("version", VERSION);
        root.put("servers", servers);
        try {
            return WRITER.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Contents read(byte[] bytes, String now) throws DamagedFileException {
        if (new String(bytes, java.nio.charset.StandardCharsets.UTF_8).isBlank()) {
            return new Contents(Map.of(), false);
        }
        JsonNode root;
        try {
            root = Json.mapper().readTree(bytes);
        } catch (JacksonException e) {
            throw new DamagedFileException("not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (root.isObject() && root.has("version")) {
            JsonNode version = root.get("version");
            if (!version.isTextual() || !version.textValue().equals(VERSION)) {
                throw new DamagedFileException("unknown data file version " + version
                        + "; this service reads version \"" + VERSION + "\" and v1 data");
            }
            return new Contents(readV2(root.get("servers")), false);
        }
        return new Contents(readV1(root, now), true);
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
        StatusRecord r;
        try {
            r = Json.mapper().treeToValue(node, StatusRecord.class);
        } catch (JacksonException | IllegalArgumentException | NullPointerException e) {
            throw new DamagedFileException("record " + key + " cannot be read: "
                    + (e instanceof JacksonException j ? j.getOriginalMessage() : e.getMessage()));
        }
        int slash = key.indexOf('/');
        String group = r.serverGroup() != null ? r.serverGroup() : slash > 0 ? key.substring(0, slash) : null;
        String host = r.host() != null ? r.host() : slash > 0 ? key.substring(slash + 1) : null;
        if (group == null || host == null) {
            throw new DamagedFileException("record " + key + " has no server_group and host");
        }
        // Older writers (the Flask service) may have stored zone-less timestamps and upper-case values.
        return new StatusRecord(group, host, r.projectName(), r.repoName(), r.serverType(), r.environment(),
                lower(r.status()), r.changedFiles(), lower(r.validationStatus()), r.validationMessage(),
                r.commitSha(), r.branch(), r.updatedBy(), r.labels(),
                Timestamps.normalizeStored(r.lastPipelineRun()), Timestamps.normalizeStored(r.lastCronCheck()),
                Timestamps.normalizeStored(r.timestamp()));
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
            } catch (ApiException e) {
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
