package io.gitops.status.update;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gitops.status.api.Enumerations;
import io.gitops.status.api.Refusal;
import io.gitops.status.api.Timestamps;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The input rules of the API (contract §2), applied to the fields of one request body.
 *
 * <p>Each accessor validates one field and remembers that it was read, so that the fields the
 * body carries but no rule read can be reported as {@code ignored_fields}. A field that is
 * missing or {@code null} is absent. Every violation is an {@link Refusal} naming the field.
 */
public final class BodyFields {

    public static final int MAX_IDENTITY_LENGTH = 253;
    public static final int MAX_STRING_LENGTH = 4096;
    public static final int MAX_MESSAGE_BYTES = 64 * 1024;
    public static final int MAX_LABELS = 32;
    public static final int MAX_LABEL_VALUE_LENGTH = 256;

    public static final List<String> STATUSES = List.of("synced", "out_of_sync", "failed", "unknown");
    public static final List<String> VALIDATION_STATUSES = List.of("passed", "failed", "skipped");

    private static final Pattern IDENTITY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]*");
    private static final Pattern LABEL_KEY = Pattern.compile("[A-Za-z0-9_.-]{1,63}");

    private final ObjectNode body;
    private final InputRules rules;
    private final Set<String> read = new HashSet<>();

    public BodyFields(ObjectNode body, InputRules rules) {
        this.body = body;
        this.rules = rules;
    }

    /** The body's fields that no accessor read, in the body's order. */
    public List<String> ignored() {
        List<String> ignored = new ArrayList<>();
        body.fieldNames().forEachRemaining(name -> {
            if (!read.contains(name)) {
                ignored.add(name);
            }
        });
        return ignored;
    }

    /** A server group or host: required, a string of 1–253 characters, safe in a URL path. */
    public String identity(String field) {
        JsonNode node = take(field);
        if (node == null) {
            throw Refusal.validation(field, field + " is required");
        }
        if (!node.isTextual()) {
            throw Refusal.validation(field, field + " must be a string");
        }
        String value = node.textValue();
        if (!isIdentity(value)) {
            throw Refusal.validation(field, field + " must be 1-" + MAX_IDENTITY_LENGTH
                    + " characters of letters, digits, '.', '_', ':' and '-', starting with a letter or digit");
        }
        return value;
    }

    /** A server group: an identity that is not one of the API's path words. */
    public String serverGroup(String field) {
        String value = identity(field);
        rules.checkServerGroup(field, value);
        return value;
    }

    /** The rule for a server group or host, as input and in a data file. */
    public static boolean isIdentity(String value) {
        return !value.isEmpty() && value.length() <= MAX_IDENTITY_LENGTH && IDENTITY.matcher(value).matches();
    }

    /** An optional string: empty means absent, numbers and booleans become their text. */
    public String string(String field) {
        return string(field, MAX_STRING_LENGTH);
    }

    /** The validation message, which may be up to 64 KiB (UTF-8). */
    public String message(String field) {
        String value = scalarText(field, take(field));
        if (value != null && value.getBytes(StandardCharsets.UTF_8).length > MAX_MESSAGE_BYTES) {
            throw Refusal.validation(field, field + " must be at most " + MAX_MESSAGE_BYTES + " bytes");
        }
        return value;
    }

    /** An optional enumeration, matched without regard to case and returned in lower case. */
    public String enumeration(String field, List<String> allowed) {
        String value = scalarText(field, take(field));
        if (value == null) {
            return null;
        }
        String folded = Enumerations.fold(value);
        if (!allowed.contains(folded)) {
            throw Refusal.validation(field, field + " must be one of " + String.join(", ", allowed));
        }
        return folded;
    }

    public String requiredEnumeration(String field, List<String> allowed) {
        String value = enumeration(field, allowed);
        if (value == null) {
            throw Refusal.validation(field, field + " is required (one of " + String.join(", ", allowed) + ")");
        }
        return value;
    }

    /** An optional timestamp with a zone, returned in UTC; empty means absent. */
    public String timestamp(String field) {
        JsonNode node = take(field);
        if (node == null) {
            return null;
        }
        if (!node.isTextual()) {
            throw Refusal.validation(field, field + " must be an ISO-8601 timestamp string");
        }
        if (node.textValue().isEmpty()) {
            return null;
        }
        try {
            return Timestamps.normalize(node.textValue());
        } catch (IllegalArgumentException e) {
            throw Refusal.validation(field, field + " " + e.getMessage());
        }
    }

    /**
     * A list of file names: strings, or objects {@code {"name": "..."}} (the v1 shape), within the
     * configured caps on entries and bytes. Returns {@code null} when absent.
     */
    public List<String> fileNames(String field) {
        JsonNode node = take(field);
        if (node == null) {
            return null;
        }
        if (!node.isArray()) {
            throw Refusal.validation(field, field + " must be an array of file names");
        }
        rules.checkChangedFilesCount(field, node.size());
        List<String> names = new ArrayList<>(node.size());
        for (JsonNode entry : node) {
            JsonNode name = entry.isObject() ? entry.get("name") : entry;
            if (name == null || !name.isTextual()) {
                throw Refusal.validation(field,
                        field + " entries must be strings or objects {\"name\": \"...\"}");
            }
            String value = name.textValue();
            if (value.isEmpty() || value.length() > MAX_STRING_LENGTH) {
                throw Refusal.validation(field,
                        field + " entries must be 1-" + MAX_STRING_LENGTH + " characters");
            }
            names.add(value);
        }
        rules.checkChangedFilesBytes(field, names);
        return names;
    }

    /** Free string labels; returns {@code null} when absent. */
    public Map<String, String> labels(String field) {
        JsonNode node = take(field);
        if (node == null) {
            return null;
        }
        if (!node.isObject()) {
            throw Refusal.validation(field, field + " must be an object of string values");
        }
        if (node.size() > MAX_LABELS) {
            throw Refusal.validation(field, field + " must have at most " + MAX_LABELS + " keys");
        }
        Map<String, String> labels = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> entry : node.properties()) {
            if (!LABEL_KEY.matcher(entry.getKey()).matches()) {
                throw Refusal.validation(field,
                        field + " keys must be 1-63 characters of letters, digits, '_', '.' and '-'");
            }
            JsonNode value = entry.getValue();
            if (!value.isValueNode() || value.isNull()) {
                throw Refusal.validation(field, field + " values must be strings");
            }
            if (value.asText().length() > MAX_LABEL_VALUE_LENGTH) {
                throw Refusal.validation(field,
                        field + " values must be at most " + MAX_LABEL_VALUE_LENGTH + " characters");
            }
            labels.put(entry.getKey(), value.asText());
        }
        return labels;
    }

    /** A field that is accepted for compatibility but not stored. */
    public JsonNode accept(String field) {
        return take(field);
    }

    private String string(String field, int maxChars) {
        String value = scalarText(field, take(field));
        if (value != null && value.codePointCount(0, value.length()) > maxChars) {
            throw Refusal.validation(field, field + " must be at most " + maxChars + " characters");
        }
        return value;
    }

    private static String scalarText(String field, JsonNode node) {
        if (node == null) {
            return null;
        }
        if (node.isTextual()) {
            return node.textValue().isEmpty() ? null : node.textValue();
        }
        if (node.isNumber() || node.isBoolean()) {
            return node.asText();
        }
        throw Refusal.validation(field, field + " must be a string");
    }

    private JsonNode take(String field) {
        read.add(field);
        JsonNode node = body.get(field);
        return node == null || node.isNull() ? null : node;
    }
}
