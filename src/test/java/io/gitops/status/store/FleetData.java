package io.gitops.status.store;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Writes the data file of the fleet benchmark ({@code bench/fleet.sh}): N hosts, each carrying H
 * transitions in its {@code history}, the steady state of a large fleet whose drift checks flap now
 * and then. Written record by record, so memory does not grow with the fleet.
 *
 * <p>The fleet, deterministic for given arguments and clock:
 * <ul>
 *   <li>hosts {@code bench-<h % 10>/host-<h>} (as {@code bench/common.lua} picks them); each group
 *       is one repository and server type, environments {@code prod} (3 in 5), {@code staging},
 *       {@code dev}; two labels;</li>
 *   <li>history over the last 30 days: transitions alternate, a pipeline deploying a new commit
 *       ({@code out_of_sync → synced}, the first one {@code null → synced}) and a drift check
 *       finding changed files ({@code synced → out_of_sync}); drift checks run by cron at quarter
 *       hours plus a few seconds, so many hosts share a timestamp to the second;</li>
 *   <li>commits: each repository gets a new 40-hex commit every 6 hours, shared by the hosts of its
 *       group that deploy it, so each pipeline transition carries a commit of its own;</li>
 *   <li>about 1 host in 7 currently {@code out_of_sync} with 1-3 changed files; 1 in 50 stale (last
 *       drift check two days ago), the others checked within the last quarter hour.</li>
 * </ul>
 * The transitions are all older than one hour before {@code now}, so that writes made after the
 * file is written add events only after them.
 *
 * <p>Usage: {@code FleetData <hosts> <transitions per host> <data file> [now, epoch ms]}. Prints one
 * line of facts about the file ({@code FLEET hosts=... events=... groups=... bytes=...}).
 */
public final class FleetData {

    static final int GROUPS = 10;
    private static final Duration SPAN = Duration.ofDays(30);
    private static final Duration COMMIT_EVERY = Duration.ofHours(6);
    private static final Duration CRON_EVERY = Duration.ofMinutes(15);
    private static final String[] REPOS = {"rsyslog", "nginx", "haproxy", "postgresql", "redis", "chrony",
        "openssh", "bind9", "node-exporter", "docker"};
    private static final String[] ENVIRONMENTS = {"prod", "prod", "prod", "staging", "dev"};
    private static final DateTimeFormatter ISO = DateTimeFormatter.ISO_INSTANT;
    private static final JsonFactory JSON = new JsonFactory();

    private final int hosts;
    private final int history;
    private final long nowSeconds;
    private final Map<Long, String> commits = new HashMap<>();

    FleetData(int hosts, int history, Instant now) {
        this.hosts = hosts;
        this.history = history;
        this.nowSeconds = now.getEpochSecond();
    }

    public static void main(String[] args) throws IOException {
        int hosts = Integer.parseInt(args[0]);
        int history = Integer.parseInt(args[1]);
        Path file = Path.of(args[2]);
        Instant now = args.length > 3 ? Instant.ofEpochMilli(Long.parseLong(args[3])) : Instant.now();
        Path parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        FleetData fleet = new FleetData(hosts, history, now);
        Facts facts;
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
            facts = fleet.write(out);
        }
        System.out.printf("FLEET hosts=%d events=%d groups=%d out_of_sync=%d stale=%d bytes=%d%n", hosts,
                facts.events, Math.min(GROUPS, hosts), facts.outOfSync, facts.stale, Files.size(file));
    }

    /** What the file holds, for the benchmark to check the server against. */
    static final class Facts {
        long events;
        int outOfSync;
        int stale;
    }

    /** The data file's format: {@code {"version": "2.0", "servers": {"<group>/<host>": {...}, ...}}}, a record a line. */
    Facts write(OutputStream out) throws IOException {
        Facts facts = new Facts();
        out.write("{\"version\": \"2.0\", \"servers\": {".getBytes(StandardCharsets.UTF_8));
        ByteArrayOutputStream record = new ByteArrayOutputStream(8192);
        boolean first = true;
        // In the store's order: by group, then host.
        for (int g = 0; g < GROUPS; g++) {
            for (int h = g; h < hosts; h += GROUPS) {
                record.reset();
                try (JsonGenerator json = JSON.createGenerator(record)) {
                    json.writeString(group(h) + "/" + host(h));
                    json.writeRaw(':');
                    writeRecord(json, h, facts);
                }
                out.write((first ? "\n" : ",\n").getBytes(StandardCharsets.UTF_8));
                record.writeTo(out);
                first = false;
            }
        }
        out.write("\n}}\n".getBytes(StandardCharsets.UTF_8));
        return facts;
    }

    static String group(int h) {
        return "bench-" + (h % GROUPS);
    }

    static String host(int h) {
        return String.format("host-%06d", h);
    }

    private void writeRecord(JsonGenerator json, int h, Facts facts) throws IOException {
        SplittableRandom random = new SplittableRandom(h * 0x9E3779B97F4A7C15L);
        int g = h % GROUPS;
        String repo = REPOS[g % REPOS.length];
        boolean outOfSync = h % 7 == 0 && history > 0;
        boolean stale = h % 50 == 1;
        // The whole sequence of transitions since the host appeared: the first one creates it, then
        // drift checks (odd) and pipelines (even) alternate. Its length makes the last one leave the
        // host in its current status; the file keeps the newest `history` of them.
        int total = history == 0 ? 0 : history + (((history - 1) % 2 == 1) == outOfSync ? 0 : 1);
        long end = nowSeconds - (stale ? Duration.ofDays(3) : Duration.ofHours(1)).toSeconds();
        long start = end - SPAN.toSeconds();
        long slot = (end - start) / Math.max(1, total);
        long[] at = new long[total];
        String[] commit = new String[total];
        int[] files = new int[total];
        long window = Long.MIN_VALUE;
        for (int k = 0; k < total; k++) {
            long t = start + k * slot + random.nextLong(Math.max(1, slot - 120));
            if (k % 2 == 1) { // cron: on the quarter hour, a few seconds in; still after the transition before
                long quarter = CRON_EVERY.toSeconds();
                t = Math.max(t / quarter * quarter + random.nextInt(20), at[k - 1] + 1);
                commit[k] = commit[k - 1];
                files[k] = 1 + (h + k) % 3;
            } else { // the repository's head, and at least the commit after the one deployed before
                window = Math.max(Math.floorDiv(t, COMMIT_EVERY.toSeconds()), window + 1);
                commit[k] = commit(g, window);
            }
            at[k] = t;
        }
        int kept = Math.min(history, total);
        long lastCron;
        if (stale) {
            lastCron = nowSeconds - Duration.ofDays(2).toSeconds() + random.nextInt(600);
        } else { // the last quarter-hour run, or the one before when this one has not reached the host yet
            long quarter = CRON_EVERY.toSeconds();
            lastCron = (nowSeconds - 60) / quarter * quarter + random.nextInt(40);
            if (lastCron > nowSeconds) {
                lastCron -= quarter;
            }
        }
        long lastPipeline = nowSeconds - Duration.ofDays(2).toSeconds();
        String currentCommit = commit(g, Math.floorDiv(lastPipeline, COMMIT_EVERY.toSeconds()));
        for (int k = total - 1; k >= 0; k--) {
            if (k % 2 == 0) {
                lastPipeline = at[k];
                currentCommit = commit[k];
                break;
            }
        }
        int changed = outOfSync ? files[total - 1] : 0;

        json.writeStartObject();
        json.writeStringField("server_group", group(h));
        json.writeStringField("host", host(h));
        json.writeStringField("project_name", "gitops-for-servers");
        json.writeStringField("repo_name", repo);
        json.writeStringField("server_type", repo);
        json.writeStringField("environment", ENVIRONMENTS[(h / GROUPS) % ENVIRONMENTS.length]);
        json.writeStringField("status", outOfSync ? "out_of_sync" : "synced");
        json.writeArrayFieldStart("changed_files");
        for (String file : changedFiles(repo).subList(0, changed)) {
            json.writeString(file);
        }
        json.writeEndArray();
        json.writeStringField("validation_status", "passed");
        json.writeStringField("validation_message", repo + " syntax validation passed");
        json.writeStringField("commit_sha", currentCommit);
        json.writeStringField("branch", "main");
        json.writeStringField("updated_by", "woodpecker");
        json.writeObjectFieldStart("labels");
        json.writeStringField("dc", "dc" + (h % 3));
        json.writeStringField("rack", "r" + ((h / GROUPS) % 40));
        json.writeEndObject();
        json.writeStringField("last_pipeline_run", time(lastPipeline));
        json.writeStringField("last_cron_check", time(lastCron));
        json.writeStringField("timestamp", time(Math.max(lastPipeline, lastCron)));
        json.writeNullField("written_by_token");
        json.writeArrayFieldStart("history");
        for (int k = total - kept; k < total; k++) {
            json.writeStartObject();
            json.writeStringField("at", time(at[k]));
            if (k == 0) {
                json.writeNullField("from");
            } else {
                json.writeStringField("from", k % 2 == 1 ? "synced" : "out_of_sync");
            }
            json.writeStringField("to", k % 2 == 1 ? "out_of_sync" : "synced");
            json.writeStringField("source", k % 2 == 1 ? "cron" : "pipeline");
            json.writeStringField("commit_sha", commit[k]);
            json.writeNumberField("changed_files_count", files[k]);
            json.writeEndObject();
        }
        json.writeEndArray();
        json.writeEndObject();

        facts.events += kept;
        facts.outOfSync += outOfSync ? 1 : 0;
        facts.stale += stale ? 1 : 0;
    }

    private static List<String> changedFiles(String repo) {
        return List.of("/etc/" + repo + "/" + repo + ".conf", "/etc/" + repo + "/conf.d/10-local.conf",
                "/etc/systemd/system/" + repo + ".service.d/override.conf");
    }

    /** The commit at the head of group {@code g}'s repository in a 6-hour window: a new one in each. */
    private String commit(int g, long window) {
        return commits.computeIfAbsent(window * GROUPS + g, key -> {
            SplittableRandom random = new SplittableRandom(key * 0xBF58476D1CE4E5B9L + 1);
            return String.format("%016x%016x%08x", random.nextLong(), random.nextLong(), random.nextInt());
        });
    }

    private static String time(long seconds) {
        return ISO.format(Instant.ofEpochSecond(seconds));
    }
}
