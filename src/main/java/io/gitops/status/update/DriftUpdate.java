package io.gitops.status.update;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gitops.status.api.Refusal;
import io.gitops.status.api.StatusRecord;
import java.util.List;

/**
 * {@code POST /status/cron}: a drift check. Changes only the drift fields the body carries
 * ({@code status}, {@code changed_files}), always sets {@code last_cron_check}, and needs the
 * record to exist.
 */
public record DriftUpdate(String serverGroup, String host, String status, List<String> changedFiles,
        String lastCronCheck, List<String> ignoredFields) implements Update {

    public static DriftUpdate parse(ObjectNode body, InputRules rules) {
        BodyFields in = new BodyFields(body, rules);
        return new DriftUpdate(
                in.serverGroup("server_group"),
                in.identity("host"),
                in.enumeration("status", BodyFields.STATUSES),
                in.fileNames("changed_files"),
                in.timestamp("last_cron_check"),
                in.ignored());
    }

    @Override
    public String source() {
        return "cron";
    }

    @Override
    public StatusRecord applyTo(StatusRecord current, String now) {
        if (current == null) {
            throw Refusal.notFound("no record for " + key() + "; create it with POST /status/pipeline first");
        }
        return applyDrift(current, status, changedFiles, lastCronCheck, now);
    }

    /** The drift fields of a record after a check; a field the check did not report keeps its value. */
    static StatusRecord applyDrift(StatusRecord current, String status, List<String> changedFiles,
            String lastCronCheck, String now) {
        return current.withDrift(
                status != null ? status : current.status(),
                changedFiles != null ? changedFiles : current.changedFiles(),
                lastCronCheck != null ? lastCronCheck : now,
                now);
    }
}
