package io.gitops.status.api;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The fields a list can be filtered on ({@code GET /status}) and a notification rule can match,
 * by their wire names; those in {@link #FOLDED} are enumerations, matched after
 * {@link Enumerations#fold}.
 */
public final class RecordFields {

    public static final Map<String, Function<StatusRecord, String>> FILTERABLE;
    public static final Set<String> FOLDED = Set.of("status", "validation_status");

    static {
        Map<String, Function<StatusRecord, String>> fields = new LinkedHashMap<>();
        fields.put("server_group", StatusRecord::serverGroup);
        fields.put("host", StatusRecord::host);
        fields.put("status", StatusRecord::status);
        fields.put("environment", StatusRecord::environment);
        fields.put("server_type", StatusRecord::serverType);
        fields.put("project_name", StatusRecord::projectName);
        fields.put("repo_name", StatusRecord::repoName);
        fields.put("validation_status", StatusRecord::validationStatus);
        FILTERABLE = Collections.unmodifiableMap(fields);
    }

    private RecordFields() {
    }
}
