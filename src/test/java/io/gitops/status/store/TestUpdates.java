package io.gitops.status.store;

import io.gitops.status.api.StatusRecord;
import io.gitops.status.update.Update;
import java.util.ArrayList;
import java.util.List;

/** Updates for store tests, built without HTTP. */
final class TestUpdates {

    private TestUpdates() {
    }

    /** A pipeline-like write that creates or replaces a record with the given status. */
    static Update put(String group, String host, String status) {
        return new Update() {
            public String serverGroup() {
                return group;
            }

            public String host() {
                return host;
            }

            public List<String> ignoredFields() {
                return List.of();
            }

            public StatusRecord applyTo(StatusRecord current, String now) {
                return new StatusRecord(group, host, "project", "repo", "type", "env", status, List.of(), null,
                        null, "sha", "main", "test", null, now, null, now);
            }
        };
    }

    /**
     * A read-modify-write: appends {@code file} to the record's changed files. Any update lost
     * between concurrent writers shows as a missing file name.
     */
    static Update append(String group, String host, String file) {
        return new Update() {
            public String serverGroup() {
                return group;
            }

            public String host() {
                return host;
            }

            public List<String> ignoredFields() {
                return List.of();
            }

            public StatusRecord applyTo(StatusRecord current, String now) {
                StatusRecord base = current != null ? current
                        : new StatusRecord(group, host, null, null, null, null, "synced", List.of(), null, null,
                                null, null, null, null, now, null, now);
                List<String> files = new ArrayList<>(base.changedFiles());
                files.add(file);
                return base.withDrift("out_of_sync", files, now, now);
            }
        };
    }
}
