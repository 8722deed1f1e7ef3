package io.gitops.status.update;

import io.gitops.status.api.StatusRecord;
import io.gitops.status.error.ApiException;
import java.util.List;

/** {@code DELETE /status/{server_group}/{host}}: removes one record, which must exist. */
public record Deletion(String serverGroup, String host) implements Update {

    @Override
    public String source() {
        return "delete";
    }

    @Override
    public List<String> ignoredFields() {
        return List.of();
    }

    @Override
    public StatusRecord applyTo(StatusRecord current, String now) {
        if (current == null) {
            throw ApiException.notFound("no record for " + key());
        }
        return null;
    }
}
