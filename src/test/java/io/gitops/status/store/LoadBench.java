package io.gitops.status.store;

import io.gitops.status.api.StatusRecord;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * Times reading a data file in this JVM, the first round with a cold JIT as at start-up:
 * {@code LoadBench <data file> [rounds]}. Not a test.
 */
public final class LoadBench {
    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        for (int i = 0; i < rounds; i++) {
            long t0 = System.nanoTime();
            ConcurrentSkipListMap<String, StatusRecord> loaded = new ConcurrentSkipListMap<>(KeyOrder.KEYS);
            StoreFormat.read(file, r -> loaded.put(r.key(), r));
            System.out.printf("read %d records in %d ms%n", loaded.size(), (System.nanoTime() - t0) / 1_000_000);
        }
    }
}
