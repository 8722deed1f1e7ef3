package io.gitops.status.notify;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * What the notifier knows of one host under one rule, from the moment the host enters a status
 * the rule opens on until its notification is resolved (or, when it never fired, until the host
 * leaves that status). Times are epoch milliseconds; {@code null} when not (yet) reached.
 */
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.NONE, getterVisibility = JsonAutoDetect.Visibility.NONE,
        isGetterVisibility = JsonAutoDetect.Visibility.NONE)
final class Watch {
    @JsonProperty("rule") String rule;
    @JsonProperty("server_group") String serverGroup;
    @JsonProperty("host") String host;
    /** The host's environment when last looked at: one of the labels that name its Alertmanager alert. */
    @JsonProperty("environment") String environment;
    /** The host's status when last looked at. */
    @JsonProperty("status") String status;
    /** The status before the host entered the statuses the rule opens on. */
    @JsonProperty("previous_status") String previousStatus;
    /** Since when the host has been in the rule's statuses (or stale). */
    @JsonProperty("since") long since;
    /** Reports seen in a row while in them, for {@code after}. */
    @JsonProperty("reports") int reports;
    /** The {@code timestamp} of the last report counted. */
    @JsonProperty("last_report") String lastReport;
    /** When {@code for}/{@code after} were first met; cleared once fired. */
    @JsonProperty("due_at") Long dueAt;
    @JsonProperty("fired_at") Long firedAt;
    /** When the last firing message or reminder for it was queued. */
    @JsonProperty("last_sent") Long lastSent;
    /** When it was first seen resolved; its resolved message waits for the group's digest. */
    @JsonProperty("resolved_at") Long resolvedAt;
    /** The host was deleted, or no longer matches the rule. */
    @JsonProperty("gone") boolean gone;

    Watch() {
    }

    Watch(String rule, String serverGroup, String host) {
        this.rule = rule;
        this.serverGroup = serverGroup;
        this.host = host;
    }

    String key() {
        return key(rule, serverGroup, host);
    }

    static String key(String rule, String serverGroup, String host) {
        return rule + '\n' + serverGroup + '\n' + host;
    }

    /** A hash of every field: the notifier saves the state only when the watches' hashes changed. */
    long fingerprint() {
        return java.util.Objects.hash(rule, serverGroup, host, environment, status, previousStatus, since, reports,
                lastReport, dueAt, firedAt, lastSent, resolvedAt, gone) * 0x9E3779B97F4A7C15L + since;
    }

    /** Fired and not on its way to resolved: what reminders and Alertmanager's re-sends are about. */
    boolean firing() {
        return firedAt != null && resolvedAt == null;
    }

    boolean fired() {
        return firedAt != null;
    }
}
