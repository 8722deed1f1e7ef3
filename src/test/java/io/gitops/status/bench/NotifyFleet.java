package io.gitops.status.bench;

import io.gitops.status.api.Staleness;
import io.gitops.status.api.StatusRecord;
import io.gitops.status.config.AppConfig;
import io.gitops.status.notify.Notifier;
import io.gitops.status.notify.RulesFile;
import io.gitops.status.notify.WebhookReceiver;
import io.gitops.status.store.FileStatusStore;
import io.gitops.status.store.FleetDataAccess;
import io.gitops.status.store.StatusStore;
import io.gitops.status.store.postgres.PostgresStatusStore;
import io.gitops.status.update.AttributedUpdate;
import io.gitops.status.update.Update;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The notifier over a large fleet ({@code bench/notify.sh}): a data file of N hosts
 * ({@code FleetData}: about 1 in 7 out of sync, 1 in 50 stale), one rule over every host that opens
 * on every trouble, digests per group, a webhook that takes everything. Measures the first look
 * (every host in trouble opens a notification and is sent), the looks after it (nothing changed:
 * what every second costs), then every host turned out of sync at once and the look that follows,
 * with the state document's size and the heap the notifier holds.
 *
 * <p>Usage: {@code NotifyFleet <hosts> <folder> [<jdbc:postgresql: URL of an empty database>]}: the
 * file store in the folder, or the PostgreSQL store with the fleet imported. Prints {@code NOTIFY ...} lines.
 */
public final class NotifyFleet {

    private NotifyFleet() {
    }

    public static void main(String[] args) throws Exception {
        int hosts = Integer.parseInt(args[0]);
        Path dir = Path.of(args[1]);
        Files.createDirectories(dir);
        Path data = dir.resolve("status.json");
        Files.deleteIfExists(dir.resolve("status.json.notifications"));
        FleetDataAccess.write(hosts, 4, data);
        try (WebhookReceiver hook = new WebhookReceiver(null);
                StatusStore store = open(data, args.length > 2 ? args[2] : null)) {
            Path rules = dir.resolve("rules.yaml");
            Files.writeString(rules, """
                    receivers:
                      - name: hook
                        webhook: {url: "%s"}
                    rules:
                      - name: fleet
                        on: [out_of_sync, failed, unknown, stale]
                        digest: PT1S
                        receivers: [hook]
                    """.formatted(hook.url()));
            try (Notifier notifier = new Notifier(new RulesFile(rules), store,
                    new Staleness(Duration.ofMinutes(30), Clock.systemUTC()), 20, Clock.systemUTC())) {
                report("first look", notifier, () -> notifier.look());
                Thread.sleep(1100); // the digest window
                report("digests sent", notifier, () -> notifier.look());
                long[] steady = new long[30];
                for (int i = 0; i < steady.length; i++) {
                    long start = System.nanoTime();
                    notifier.look();
                    steady[i] = System.nanoTime() - start;
                }
                Arrays.sort(steady);
                System.out.printf(Locale.ROOT, "NOTIFY steady looks=%d p50_ms=%.1f max_ms=%.1f%n", steady.length,
                        steady[steady.length / 2] / 1e6, steady[steady.length - 1] / 1e6);
                allOutOfSync(store);
                report("all out of sync", notifier, () -> notifier.look());
                Thread.sleep(1100);
                report("digests sent", notifier, () -> notifier.look());
                System.out.printf(Locale.ROOT, "NOTIFY hosts=%d watches=%d document_bytes=%d webhook_requests=%d%n",
                        hosts, notifier.view().openCount(), store.document(Notifier.DOCUMENT).read().orElseThrow().length,
                        hook.requests().size());
                hook.clear();
                long with = usedHeap();
                notifier.close();
                System.out.printf(Locale.ROOT, "NOTIFY notifier_heap_mib=%.0f (heap with it %.0f MiB, without %.0f)%n",
                        (with - usedHeap()) / 1048576.0, with / 1048576.0, usedHeap() / 1048576.0);
            }
        }
    }

    private static StatusStore open(Path data, String url) throws InterruptedException {
        if (url == null) {
            return new FileStatusStore(data);
        }
        PostgresStatusStore store = new PostgresStatusStore(AppConfig.Database.at(url).withImportFile(data),
                AppConfig.Limits.DEFAULTS.maxHosts(), AppConfig.DEFAULT_HISTORY_SIZE);
        if (!store.awaitLoaded(300_000)) {
            throw new IllegalStateException("the PostgreSQL store did not load within 5 minutes");
        }
        return store;
    }

    private static void report(String what, Notifier notifier, Runnable look) {
        long start = System.nanoTime();
        look.run();
        System.out.printf(Locale.ROOT, "NOTIFY %s ms=%.0f watches=%d waiting=%d%n", what,
                (System.nanoTime() - start) / 1e6, notifier.view().openCount(), notifier.view().waitingCount());
    }

    /** A drift check finding every host out of sync, written in batches. */
    private static void allOutOfSync(StatusStore store) {
        List<StatusRecord> records = store.all();
        for (int from = 0; from < records.size(); from += 5000) {
            List<Update> updates = new ArrayList<>();
            for (StatusRecord record : records.subList(from, Math.min(records.size(), from + 5000))) {
                updates.add(new AttributedUpdate(new Drift(record.serverGroup(), record.host()), null, 20));
            }
            store.writeAll(updates);
        }
    }

    private record Drift(String serverGroup, String host) implements Update {
        @Override
        public String source() {
            return "cron";
        }

        @Override
        public List<String> ignoredFields() {
            return List.of();
        }

        @Override
        public StatusRecord applyTo(StatusRecord current, String now) {
            return current == null ? null : current.withDrift("out_of_sync", List.of("/etc/drifted.conf"), now, now);
        }
    }

    private static long usedHeap() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        Runtime runtime = Runtime.getRuntime();
        return runtime.totalMemory() - runtime.freeMemory();
    }
}
