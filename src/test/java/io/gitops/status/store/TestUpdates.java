package io.gitops.status.store;

import io.gitops.status.api.StatusRecord;
import io.gitops.status.update.Update;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;

/** Updates for store and API tests, built without HTTP. */
public final class TestUpdates {

    private TestUpdates() {
    }

    /** An update of one record by a function of (current record or null, now). */
    record Of(String serverGroup, String host, BiFunction<StatusRecord, String, StatusRecord> change)
            implements Update {

        @Override
        public String source() {
            return "test";
        }

        @Override
        public List<String> ignoredFields() {
            return List.of();
        }

        @Override
        public StatusRecord applyTo(StatusRecord current, String now) {
            return change.apply(current, now);
        }
    }

    /** An update that stores {@code record} exactly as given. */
    public static Update storing(StatusRecord record) {
        return new Of(record.serverGroup(), record.host(), (current, now) -> record);
    }

    /** Writes records straight into the data file, as another process sharing it would. */
    public static void storeDirectly(Path statusFile, StatusRecord... records) {
        try (FileStatusStore other = new FileStatusStore(statusFile)) {
            for (StatusRecord record : records) {
                other.write(storing(record));
            }
        }
    }

    /** A pipeline-like write that creates or replaces a record with the given status. */
    public static Update put(String group, String host, String status) {
        return new Of(group, host, (current, now) -> new StatusRecord(group, host, "project", "repo", "type", "env",
                status, List.of(), null, null, "sha", "main", "test", null, now, null, now));
    }

    /**
     * A read-modify-write: appends {@code file} to the record's changed files. Any update lost
     * between concurrent writers shows as a missing file name.
     */
    public static Update append(String group, String host, String file) {
        return new Of(group, host, (current, now) -> {
            StatusRecord base = current != null ? current
                    : new StatusRecord(group, host, null, null, null, null, "synced", List.of(), null, null, null,
                            null, null, null, now, null, now);
            List<String> files = new ArrayList<>(base.changedFiles());
            files.add(file);
            return base.withDrift("out_of_sync", files, now, now);
        });
    }
}
