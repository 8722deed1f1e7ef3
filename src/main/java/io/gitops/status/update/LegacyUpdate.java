package io.gitops.status.update;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gitops.status.api.LegacyStatus;
import io.gitops.status.api.Refusal;
import io.gitops.status.api.StatusRecord;
import java.util.List;
import java.util.Locale;

/**
 * The v1 payload of the rsyslog integration ({@code POST /api/status}) and the one place that maps
 * between v1 and v2: {@code repo} → server group and repo name, {@code server} → host,
 * {@code sync_status} → status, {@code files} → changed files, {@code last_check} → last cron check.
 * Data-file migration uses the same mapping.
 */
public record LegacyUpdate(String repo, String server, String status, List<String> changedFiles,
        String lastCheck, List<String> ignoredFields) implements Update {

    /** Who created a record that first arrived through the v1 API. */
    public static final String UPDATED_BY = "legacy-api";

    /** A v1 object read from a data file being migrated: see {@link InputRules#STORED_DATA}. */
    public static LegacyUpdate parse(ObjectNode body) {
        return parse(body, InputRules.STORED_DATA);
    }

    public static LegacyUpdate parse(ObjectNode body, InputRules rules) {
        BodyFields in = new BodyFields(body, rules);
        String repo = in.serverGroup("repo");
        String server = in.identity("server");
        String status = in.requiredEnumeration("sync_status", BodyFields.STATUSES);
        List<String> files = in.fileNames("files");
        String lastCheck = in.timestamp("last_check");
        // Accepted for compatibility, never stored: the count is derived from the files.
        JsonNode driftCount = in.accept("drift_count");
        if (driftCount != null && !(driftCount.isIntegralNumber() && driftCount.canConvertToInt()
                && driftCount.intValue() >= 0)) {
            throw Refusal.validation("drift_count", "drift_count must be a non-negative integer");
        }
        return new LegacyUpdate(repo, server, status, files, lastCheck, in.ignored());
    }

    /** Whether a JSON value has the shape of a v1 status object. */
    public static boolean looksLikeV1(JsonNode node) {
        return node.isObject() && node.has("repo") && node.has("server") && node.has("sync_status");
    }

    @Override
    public String source() {
        return "legacy";
    }

    @Override
    public String serverGroup() {
        return repo;
    }

    @Override
    public String host() {
        return server;
    }

    @Override
    public StatusRecord applyTo(StatusRecord current, String now) {
        if (current != null) {
            return DriftUpdate.applyDrift(current, status, changedFiles, lastCheck, now);
        }
        return new StatusRecord(repo, server, null, repo, null, null, status, changedFiles, null, null, null,
                null, UPDATED_BY, null, null, lastCheck != null ? lastCheck : now, now);
    }

    /** A record as a v1 status object. */
    public static LegacyStatus toLegacy(StatusRecord record) {
        return new LegacyStatus(
                record.repoName() != null ? record.repoName() : record.serverGroup(),
                record.host(),
                record.status() == null ? null : record.status().toUpperCase(Locale.ROOT),
                record.changedFilesCount(),
                record.changedFiles().stream().map(LegacyStatus.File::new).toList(),
                record.lastCronCheck() != null ? record.lastCronCheck() : record.lastPipelineRun());
    }
}
