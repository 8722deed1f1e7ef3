package io.gitops.status.store;

import io.gitops.status.api.StatusRecord;
import io.gitops.status.api.Timestamps;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/** A data file read whole without changing it: what another store imports. */
public final class DataFile {

    private DataFile() {
    }

    /** Writes a data file of records given in {@link StatusRecord#ORDER}, streaming. */
    public static void write(Iterator<StatusRecord> sorted, OutputStream out) throws IOException {
        StoreFormat.write(sorted, null, out);
    }

    /**
     * Every record of the data file, v2 or any v1 shape, with its history. A v2 file is read as the
     * file store reads it ({@link StoreFormat#read}: record by record, on all cores when it can), so
     * memory holds the records and never the file's whole JSON tree; only the files that reader
     * leaves to {@link V1Migration} (v1 data, small) and files without a record are read whole.
     *
     * @throws IOException when the file cannot be read or is not a data file; the message says why
     */
    public static Collection<StatusRecord> read(Path file) throws IOException {
        try {
            Map<String, StatusRecord> records = new LinkedHashMap<>();
            if (!StoreFormat.read(file, record -> records.put(record.key(), record)).isV1() && !records.isEmpty()) {
                return records.values();
            }
            // v1 data; or no record at all (a missing or blank file among them), which is answered as before
            return V1Migration.read(file, Timestamps.now()).values();
        } catch (StoreFormat.DamagedFileException e) {
            throw new IOException(file + " is not a data file this service can read: " + e.getMessage());
        }
    }
}
