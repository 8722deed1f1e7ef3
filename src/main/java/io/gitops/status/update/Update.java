package io.gitops.status.update;

import io.gitops.status.api.StatusRecord;
import java.util.List;

/** A validated write to one record, ready to be applied by the store under its lock. */
public interface Update {

    String serverGroup();

    String host();

    /** The kind of write, as transitions record it: {@code pipeline}, {@code cron}, {@code legacy}. */
    String source();

    /** The body's fields that this kind of write does not take. */
    List<String> ignoredFields();

    /**
     * The record after this write, {@code null} when the write deletes it, or {@code current}
     * itself when there is nothing to store.
     *
     * @param current the record as stored, or {@code null} when there is none
     * @param now the server clock at write time, as stored
     * @throws io.gitops.status.api.Refusal when the write is refused; nothing changes then
     */
    StatusRecord applyTo(StatusRecord current, String now);

    default String key() {
        return StatusRecord.key(serverGroup(), host());
    }
}
