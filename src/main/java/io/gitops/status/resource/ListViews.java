package io.gitops.status.resource;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.gitops.status.api.FileRow;
import io.gitops.status.api.GroupSummary;
import io.gitops.status.api.Staleness;
import io.gitops.status.api.StatusRecord;
import io.gitops.status.json.Json;
import io.gitops.status.update.BodyFields;
import io.gitops.status.update.LegacyUpdate;
import java.io.IOException;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.function.Predicate;

/**
 * The list answers as row writers over the store's sorted list: each row is made when written
 * and forgotten after, so a list costs the same memory for ten hosts as for a hundred thousand.
 * The bytes are those that serialising the whole list at once gives (same rows, same field
 * order, no whitespace).
 */
final class ListViews {

    /** Rows one by one; flushing after each would cost a socket write per row. */
    static final ObjectWriter ROW = Json.mapper().writer().without(SerializationFeature.FLUSH_AFTER_WRITE_VALUE);

    private ListViews() {
    }

    /** {@code GET /status}: the matching records, with staleness as of {@code now}. */
    static Streamed.Body rows(List<StatusRecord> records, Predicate<StatusRecord> filter, Staleness staleness,
            Instant now) {
        return json -> {
            json.writeStartArray();
            for (StatusRecord record : records) {
                if (filter.test(record)) {
                    ROW.writeValue(json, staleness.row(record, now));
                }
            }
            json.writeEndArray();
        };
    }

    /** {@code GET /status/files}: one row per changed file of the matching records. */
    static Streamed.Body files(List<StatusRecord> records, Predicate<StatusRecord> filter) {
        return json -> {
            json.writeStartArray();
            for (StatusRecord record : records) {
                if (filter.test(record) && !record.changedFiles().isEmpty()) {
                    for (Iterator<FileRow> rows = FileRow.of(record).iterator(); rows.hasNext(); ) {
                        ROW.writeValue(json, rows.next());
                    }
                }
            }
            json.writeEndArray();
        };
    }

    /**
     * {@code GET /status/summary}: one row per group, then the row for all groups. The list is
     * sorted by group, so each group's row is complete, and written, when the next group begins.
     */
    static Streamed.Body summary(List<StatusRecord> records, Predicate<StatusRecord> filter, Staleness staleness,
            Instant now) {
        return json -> {
            json.writeStartArray();
            GroupSummary all = new GroupSummary(GroupSummary.ALL_GROUPS, BodyFields.STATUSES);
            GroupSummary group = null;
            for (StatusRecord record : records) {
                if (!filter.test(record)) {
                    continue;
                }
                if (group == null || !group.serverGroup().equals(record.serverGroup())) {
                    writeIfAny(json, group);
                    group = new GroupSummary(record.serverGroup(), BodyFields.STATUSES);
                }
                boolean stale = staleness.isStale(record, now);
                group.add(record, stale);
                all.add(record, stale);
            }
            if (group != null) {
                ROW.writeValue(json, group);
                ROW.writeValue(json, all);
            }
            json.writeEndArray();
        };
    }

    /** {@code GET /api/status}: every record in the v1 shape. */
    static Streamed.Body legacy(List<StatusRecord> records) {
        return json -> {
            json.writeStartArray();
            for (StatusRecord record : records) {
                ROW.writeValue(json, LegacyUpdate.toLegacy(record));
            }
            json.writeEndArray();
        };
    }

    private static void writeIfAny(JsonGenerator json, GroupSummary group) throws IOException {
        if (group != null) {
            ROW.writeValue(json, group);
        }
    }
}
