package io.gitops.status.api;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One row of {@code GET /status/summary}: a server group's host count, one count per status (zeros
 * included, in the contract's order of statuses), its stale hosts and its changed files in all.
 * {@code server_group} is {@code "*"} on the row for every group.
 */
@JsonPropertyOrder({"server_group", "total"})
public final class GroupSummary {

    public static final String ALL_GROUPS = "*";

    private final String serverGroup;
    private final Map<String, Long> byStatus = new LinkedHashMap<>();
    private long total;
    private long stale;
    private long changedFiles;

    public GroupSummary(String serverGroup, List<String> statuses) {
        this.serverGroup = serverGroup;
        statuses.forEach(status -> byStatus.put(status, 0L));
    }

    public void add(StatusRecord record, boolean isStale) {
        total++;
        // Same columns on every row: a status outside the contract's (an old data file) counts as unknown.
        String status = byStatus.containsKey(record.status()) ? record.status() : "unknown";
        byStatus.merge(status, 1L, Long::sum);
        if (isStale) {
            stale++;
        }
        changedFiles += record.changedFilesCount();
    }

    @JsonProperty("server_group")
    public String serverGroup() {
        return serverGroup;
    }

    @JsonProperty("total")
    public long total() {
        return total;
    }

    /** The hosts with {@code status}, one of the contract's. */
    public long count(String status) {
        return byStatus.get(status);
    }

    public long stale() {
        return stale;
    }

    /** Written after {@code total}, before {@code stale} and {@code changed_files}. */
    @JsonAnyGetter
    public Map<String, Object> counts() {
        Map<String, Object> counts = new LinkedHashMap<>(byStatus);
        counts.put("stale", stale);
        counts.put("changed_files", changedFiles);
        return counts;
    }
}
