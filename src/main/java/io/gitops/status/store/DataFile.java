package io.gitops.status.store;

import io.gitops.status.api.StatusRecord;
import io.gitops.status.api.Timestamps;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Iterator;

/** A data file read whole without changing it: what another store imports. */
public final class DataFile {

    private DataFile() {
    }

    /** Writes a data file of records given in {@link StatusRecord#ORDER}, streaming. */
    public static void write(Iterator<StatusRecord> sorted, OutputStream out) throws IOException {
        StoreFormat.write(sorted, null, out);
    }

    /**
     * Every record of the data file, v2 or any v1 shape, with its history.
     *
     * @throws IOException when the file cannot be read or is not a data file; the message says why
     */
    public static Collection<StatusRecord> read(Path file) throws IOException {
        try {
            return V1Migration.read(file, Timestamps.now()).values();
        } catch (StoreFormat.DamagedFileException e) {
            throw new IOException(file + " is not a data file this service can read: " + e.getMessage());
        }
    }
}
