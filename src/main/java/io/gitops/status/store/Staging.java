package io.gitops.status.store;

import io.gitops.status.api.Refusal;
import io.gitops.status.api.StatusRecord;
import io.gitops.status.store.StatusStore.Written;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The first step of storing a batch: each write is applied over the stored records and the
 * batch's earlier writes, in order, without changing either. A write that its update refuses, or
 * that would create a host beyond {@code maxHosts}, is refused alone; the others are staged.
 */
public final class Staging {

    private Staging() {
    }

    /** The records the batch stores, by key ({@code null}: deleted), in the order first written. */
    public static Map<String, StatusRecord> stage(List<GroupCommit.Pending> batch, Map<String, StatusRecord> stored,
            String now, int maxHosts) {
        Map<String, StatusRecord> staged = new LinkedHashMap<>();
        int hosts = stored.size();
        for (GroupCommit.Pending write : batch) {
            String key = write.update().key();
            StatusRecord current = staged.containsKey(key) ? staged.get(key) : stored.get(key);
            StatusRecord next;
            try {
                next = write.update().applyTo(current, now);
            } catch (Refusal e) {
                write.refuse(e);
                continue;
            }
            if (current == null && next != null && hosts >= maxHosts) {
                write.refuse(Refusal.limitExceeded("maxHosts", "the store holds " + hosts
                        + " hosts, the most that the setting maxHosts allows; delete hosts or raise it"));
                continue;
            }
            if (next != current) {
                staged.put(key, next);
                hosts += (next == null ? -1 : 0) + (current == null ? 1 : 0);
            }
            write.staged(new Written(next, current == null && next != null));
        }
        return staged;
    }
}
