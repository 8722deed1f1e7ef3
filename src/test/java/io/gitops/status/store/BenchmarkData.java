package io.gitops.status.store;

import io.gitops.status.api.StatusRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes a data file of N hosts for the benchmark ({@code bench/run.sh}): hosts
 * {@code bench-<h % 10>/host-<h>}, each with the fields a real pipeline sends.
 *
 * <p>Usage: {@code BenchmarkData <hosts> <data file>}
 */
public final class BenchmarkData {

    private BenchmarkData() {
    }

    public static void main(String[] args) throws Exception {
        int hosts = Integer.parseInt(args[0]);
        Path file = Path.of(args[1]);
        List<StatusRecord> records = new ArrayList<>(hosts);
        for (int h = 0; h < hosts; h++) {
            records.add(new StatusRecord("bench-" + (h % 10), String.format("host-%06d", h), "gitops-for-servers",
                    "rsyslog", "rsyslog", "prod", h % 7 == 0 ? "out_of_sync" : "synced",
                    h % 7 == 0 ? List.of("/etc/rsyslog.conf", "/etc/rsyslog.d/50-default.conf") : List.of(),
                    "passed", "rsyslog syntax validation passed", "abc1234567890", "master", "woodpecker",
                    Map.of("rack", "r" + (h % 40)), "2026-04-26T10:30:00Z", "2026-04-26T11:00:00Z",
                    "2026-04-26T11:00:00Z"));
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        try (java.io.OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(file))) {
            StoreFormat.write(records, null, out);
        }
    }
}
