package io.gitops.status.api;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import java.io.IOException;

/**
 * Reads a history straight into its packed form: a data file of a large fleet holds millions
 * of transitions, and reading each as a {@link Transition} first would double the load time.
 * Takes what {@link Transition}'s own mapping takes: unknown fields are skipped, scalars are
 * read as text.
 */
public final class HistoryJsonReader extends StdDeserializer<History> {

    public HistoryJsonReader() {
        super(History.class);
    }

    @Override
    public History deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
        if (!p.isExpectedStartArrayToken()) {
            return (History) ctxt.handleUnexpectedToken(History.class, p);
        }
        HistoryBuilder builder = new HistoryBuilder(20);
        for (JsonToken token = p.nextToken(); token != JsonToken.END_ARRAY; token = p.nextToken()) {
            if (token != JsonToken.START_OBJECT) {
                return (History) ctxt.handleUnexpectedToken(Transition.class, p);
            }
            String at = null;
            String from = null;
            String to = null;
            String source = null;
            String commit = null;
            int changedFiles = 0;
            for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
                JsonToken value = p.nextToken();
                switch (name) {
                    case "at" -> at = text(p, value, ctxt);
                    case "from" -> from = text(p, value, ctxt);
                    case "to" -> to = text(p, value, ctxt);
                    case "source" -> source = text(p, value, ctxt);
                    case "commit_sha" -> commit = text(p, value, ctxt);
                    case "changed_files_count" -> changedFiles = value == JsonToken.VALUE_NULL ? 0
                            : ctxt.readValue(p, Integer.class);
                    default -> p.skipChildren();
                }
            }
            builder.add(at, from, to, source, commit, changedFiles);
        }
        return builder.build();
    }

    @Override
    public History getNullValue(DeserializationContext ctxt) {
        return History.EMPTY;
    }

    private static String text(JsonParser p, JsonToken value, DeserializationContext ctxt) throws IOException {
        if (value == JsonToken.VALUE_NULL) {
            return null;
        }
        if (!value.isScalarValue()) {
            return (String) ctxt.handleUnexpectedToken(String.class, p);
        }
        return p.getText();
    }
}
