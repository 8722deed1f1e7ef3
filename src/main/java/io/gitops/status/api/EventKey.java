package io.gitops.status.api;

/**
 * Where a page of events ended: the last row's key in the events' order, (time in epoch
 * milliseconds, server group, host, tie), where {@code tie} tells apart a host's transitions at
 * the same millisecond (writes are stamped to the second, so a host that changes twice within one
 * second has two). The next page starts strictly after it, so rows sharing a timestamp are neither
 * skipped nor repeated.
 */
public record EventKey(long at, String serverGroup, String host, int tie) {

    /** How the host {@code (serverGroup, host)} sorts against this key's host. */
    public int compareHost(String otherGroup, String otherHost) {
        int byGroup = otherGroup.compareTo(serverGroup);
        return byGroup != 0 ? byGroup : otherHost.compareTo(host);
    }
}
