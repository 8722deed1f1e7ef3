package io.gitops.status.api;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a record of the data file with a token loop instead of databind, for loading a large
 * data file fast. It takes only the <em>plain</em> form that this service writes: an object whose
 * fields are {@link StatusRecord}'s stored fields, each at most once; text fields a string or
 * {@code null}; {@code changed_files} {@code null} or an array of strings; {@code labels}
 * {@code null} or an object of distinct names to strings; {@code history} {@code null} or an
 * array of objects whose fields are a transition's, each at most once, text or {@code null},
 * {@code changed_files_count} an {@code int} or {@code null}.
 *
 * <p>Guarantee: when it returns a record, databind ({@link StatusRecord}'s mapping with {@link
 * HistoryJsonReader}) reads the same tokens into an equal record. For anything else (an unknown
 * field, a duplicate, a number or a boolean where text is expected, a value the record refuses)
 * it returns {@code null}: the caller then reads the record with databind, which decides what it
 * is. It detects duplicate names itself, so the parser may skip its own detection.
 */
public final class StoredRecordReader {

    /** The stored fields in the order of {@link StatusRecord}'s canonical constructor. */
    private static final List<String> FIELDS = List.of("server_group", "host", "project_name", "repo_name",
            "server_type", "environment", "status", "changed_files", "validation_status", "validation_message",
            "commit_sha", "branch", "updated_by", "labels", "last_pipeline_run", "last_cron_check", "timestamp",
            "written_by_token", "history");
    /** Field name to index: names come from the parser's symbol table, so their hashes are cached. */
    private static final Map<String, Integer> FIELD_INDEX = index(FIELDS);
    private static final int CHANGED_FILES = FIELDS.indexOf("changed_files");
    private static final int LABELS = FIELDS.indexOf("labels");
    private static final int HISTORY = FIELDS.indexOf("history");
    /** A transition's fields, indexed by the constants that follow. */
    private static final List<String> TRANSITION_FIELDS = List.of("at", "from", "to", "source", "commit_sha",
            "changed_files_count");
    private static final Map<String, Integer> TRANSITION_FIELD_INDEX = index(TRANSITION_FIELDS);
    private static final int AT = 0;
    private static final int FROM = 1;
    private static final int TO = 2;
    private static final int SOURCE = 3;
    private static final int CHANGED_FILES_COUNT = 5;

    private StoredRecordReader() {
    }

    private static Map<String, Integer> index(List<String> names) {
        Map<String, Integer> index = new HashMap<>();
        names.forEach(name -> index.put(name, index.size()));
        return index;
    }

    /**
     * The record whose {@code START_OBJECT} is the parser's current token, read up to its
     * {@code END_OBJECT}; {@code null} when it is not plain (the parser is then anywhere in it).
     */
    public static StatusRecord read(JsonParser p) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            return null;
        }
        String[] text = new String[FIELDS.size()];
        List<String> changedFiles = null;
        Map<String, String> labels = null;
        History history = null;
        int seen = 0;
        for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
            int field = FIELD_INDEX.getOrDefault(name, -1);
            if (field < 0 || (seen & (1 << field)) != 0) {
                return null;
            }
            seen |= 1 << field;
            JsonToken value = p.nextToken();
            if (value == JsonToken.VALUE_NULL) {
                continue;
            }
            if (field == CHANGED_FILES) {
                changedFiles = value == JsonToken.START_ARRAY ? strings(p) : null;
                if (changedFiles == null) {
                    return null;
                }
            } else if (field == LABELS) {
                labels = value == JsonToken.START_OBJECT ? labels(p) : null;
                if (labels == null) {
                    return null;
                }
            } else if (field == HISTORY) {
                history = value == JsonToken.START_ARRAY ? history(p) : null;
                if (history == null) {
                    return null;
                }
            } else if (value == JsonToken.VALUE_STRING) {
                text[field] = p.getText();
            } else {
                return null;
            }
        }
        if (p.currentToken() != JsonToken.END_OBJECT) {
            return null;
        }
        try {
            return new StatusRecord(text[0], text[1], text[2], text[3], text[4], text[5], text[6], changedFiles,
                    text[8], text[9], text[10], text[11], text[12], labels, text[14], text[15], text[16], text[17],
                    history);
        } catch (RuntimeException e) {
            return null; // databind's creator fails on the same values
        }
    }

    /** An array of strings, after its {@code START_ARRAY}; {@code null} for any other element. */
    private static List<String> strings(JsonParser p) throws IOException {
        List<String> values = new ArrayList<>();
        for (JsonToken token = p.nextToken(); token != JsonToken.END_ARRAY; token = p.nextToken()) {
            if (token != JsonToken.VALUE_STRING) {
                return null;
            }
            values.add(p.getText());
        }
        return values;
    }

    /** An object of distinct names to strings, after its {@code START_OBJECT}; else {@code null}. */
    private static Map<String, String> labels(JsonParser p) throws IOException {
        Map<String, String> labels = new LinkedHashMap<>();
        for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
            if (p.nextToken() != JsonToken.VALUE_STRING || labels.put(name, p.getText()) != null) {
                return null;
            }
        }
        return p.currentToken() == JsonToken.END_OBJECT ? labels : null;
    }

    /** Transitions, after the history's {@code START_ARRAY}, packed as {@link HistoryJsonReader} packs them. */
    private static History history(JsonParser p) throws IOException {
        HistoryBuilder builder = new HistoryBuilder(20);
        TextSlice text = new TextSlice();
        for (JsonToken token = p.nextToken(); token != JsonToken.END_ARRAY; token = p.nextToken()) {
            if (token != JsonToken.START_OBJECT) {
                return null;
            }
            builder.begin();
            int seen = 0;
            for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
                int field = TRANSITION_FIELD_INDEX.getOrDefault(name, -1);
                if (field < 0 || (seen & (1 << field)) != 0) {
                    return null;
                }
                seen |= 1 << field;
                JsonToken value = p.nextToken();
                if (value == JsonToken.VALUE_NULL) {
                    continue; // as left out
                }
                if (field == CHANGED_FILES_COUNT) {
                    if (value != JsonToken.VALUE_NUMBER_INT || p.getNumberType() != JsonParser.NumberType.INT) {
                        return null;
                    }
                    builder.changedFiles(p.getIntValue());
                } else if (value != JsonToken.VALUE_STRING) {
                    return null;
                } else {
                    switch (field) {
                        case AT -> builder.at(text.of(p));
                        case FROM -> builder.from(text.of(p));
                        case TO -> builder.to(text.of(p));
                        case SOURCE -> builder.source(text.of(p));
                        default -> builder.commit(text.of(p));
                    }
                }
            }
            if (p.currentToken() != JsonToken.END_OBJECT) {
                return null;
            }
            builder.end();
        }
        return builder.build();
    }
}
