package io.gitops.status.store;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/** {@link FleetData}'s data files for tests in other packages. */
public final class FleetDataAccess {

    private FleetDataAccess() {
    }

    /** Writes a fleet of {@code hosts} with {@code history} transitions each, as the benchmark does. */
    public static void write(int hosts, int history, Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
            new FleetData(hosts, history, Instant.now()).write(out);
        }
    }
}
