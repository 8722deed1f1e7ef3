package io.gitops.status.store;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gitops.status.api.StatusRecord;
import io.gitops.status.api.Refusal;
import io.gitops.status.update.LegacyUpdate;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Map.Entry;
import java.util.logging.Logger;

/**
 * Data files that the streaming reader of {@link StoreFormat} does not take: v1 data (a v1 object,
 * an array of them, or an object mapping any key to them), converted with the v1 mapping of
 * {@link LegacyUpdate}, and v2 data whose {@code version} is not its first field. Such files come
 * from the Flask service or a hand edit and are small; they are read whole.
 *
 * <p>A v1 file is migrated once: the original is kept as {@code <file>.v1.bak} (or the first free
 * {@code .v1.bak.N}; an existing backup is never overwritten) and the v2 file replaces it
 * atomically. The caller holds the store's locks.
 */
final class V1Migration {

    private static final Logger LOG = Logger.getLogger(V1Migration.class.getName());

    private V1Migration() {
    }

    /** Reads the file; when it holds v1 data, rewrites it as v2 (keeping the backup). */
    static Map<String, StatusRecord> readAndMigrate(Path file, String now)
            throws IOException, StoreFormat.DamagedFileException {
        JsonNode root = readTree(file);
        Map<String, StatusRecord> records = read(root, now);
        if (isV2(root)) {
            return records;
        }
        Path backup = backUp(file);
        AtomicFiles.replace(file, out -> StoreFormat.write(records.values(), null, out));
        LOG.info("migrated v1 data file " + file + " (" + records.size() + " records); the original is kept as "
                + backup);
        return records;
    }

    /** Reads a data file of any shape, v2 or v1, without changing it. */
    static Map<String, StatusRecord> read(Path file, String now) throws IOException, StoreFormat.DamagedFileException {
        return read(readTree(file), now);
    }

    private static Map<String, StatusRecord> read(JsonNode root, String now) throws StoreFormat.DamagedFileException {
        if (isV2(root)) {
            JsonNode version = root.get("version");
            if (!version.isTextual() || !version.textValue().equals(StoreFormat.VERSION)) {
                throw new StoreFormat.DamagedFileException("unknown data file version " + version
                        + "; this service reads version \"" + StoreFormat.VERSION + "\" and v1 data");
            }
            return readV2(root.get("servers"));
        }
        return readV1(root, now);
    }

    private static boolean isV2(JsonNode root) {
        return root.isObject() && root.has("version");
    }

    private static JsonNode readTree(Path file) throws IOException, StoreFormat.DamagedFileException {
        try {
            return io.gitops.status.json.Json.mapper().readTree(file.toFile());
        } catch (JacksonException e) {
            throw new StoreFormat.DamagedFileException("not valid JSON: " + e.getOriginalMessage());
        }
    }

    private static Map<String, StatusRecord> readV2(JsonNode servers) throws StoreFormat.DamagedFileException {
        if (servers == null || !servers.isObject()) {
            throw new StoreFormat.DamagedFileException("\"servers\" must be an object of records");
        }
        Map<String, StatusRecord> records = new HashMap<>();
        for (Entry<String, JsonNode> entry : servers.properties()) {
            StatusRecord record = StoreFormat.readRecord(entry.getKey(), entry.getValue());
            records.put(record.key(), record);
        }
        return records;
    }

    private static Map<String, StatusRecord> readV1(JsonNode root, String now) throws StoreFormat.DamagedFileException {
        List<JsonNode> objects = new ArrayList<>();
        if (LegacyUpdate.looksLikeV1(root)) {
            objects.add(root);
        } else if (root.isArray() || root.isObject()) {
            for (JsonNode element : root) {
                if (!LegacyUpdate.looksLikeV1(element)) {
                    throw new StoreFormat.DamagedFileException("neither a version \"" + StoreFormat.VERSION
                            + "\" data file nor v1 data (v1 objects carry repo, server and sync_status)");
                }
                objects.add(element);
            }
        } else {
            throw new StoreFormat.DamagedFileException("neither a version \"" + StoreFormat.VERSION
                    + "\" data file nor v1 data");
        }
        Map<String, StatusRecord> records = new HashMap<>();
        for (JsonNode object : objects) {
            try {
                LegacyUpdate update = LegacyUpdate.parse((ObjectNode) object);
                records.put(update.key(), update.applyTo(records.get(update.key()), now));
            } catch (Refusal e) {
                throw new StoreFormat.DamagedFileException("v1 entry " + object.get("repo") + "/"
                        + object.get("server") + " cannot be converted: " + e.getMessage());
            }
        }
        return records;
    }

    /** Keeps the v1 original as {@code <file>.v1.bak}, or the first free {@code .v1.bak.N}. */
    private static Path backUp(Path file) throws IOException {
        for (int n = 0; ; n++) {
            Path backup = file.resolveSibling(file.getFileName() + ".v1.bak" + (n == 0 ? "" : "." + n));
            try {
                AtomicFiles.copyNew(file, backup);
                return backup;
            } catch (FileAlreadyExistsException e) {
                // never overwrite an earlier backup
            }
        }
    }
}
