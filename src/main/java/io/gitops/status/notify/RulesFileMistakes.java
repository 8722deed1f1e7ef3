package io.gitops.status.notify;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.gitops.status.config.AppConfig.ConfigurationException;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * A mistake of the rules file in one line, {@code notifyFile <path>: line N: <key path>: <what>}:
 * the line is looked up in the YAML by the key path ({@code rules[0].on[1]}), because Jackson's own
 * position is where it noticed, often the line after the object; Jackson's messages are put in
 * the file's terms (no Java types).
 */
final class RulesFileMistakes {

    private static final YAMLFactory YAML = new YAMLFactory();

    private RulesFileMistakes() {
    }

    /** A mistake a record found, at its key path. */
    static ConfigurationException placed(Path file, byte[] yaml, List<Object> at, String what) {
        return mistake(file, lineOf(yaml, at), at, what);
    }

    /** Why Jackson could not read the file: a syntax error where the parser stopped, else the value at its path. */
    static ConfigurationException unreadable(Path file, byte[] yaml, JsonProcessingException e) {
        // the parser's errors reach here wrapped in a mapping error when a value was being read
        if (e.getCause() instanceof StreamReadException syntax) {
            e = syntax;
        }
        if (e.getCause() instanceof MarkedYAMLException marked && marked.getProblemMark() != null) {
            return mistake(file, marked.getProblemMark().getLine() + 1, List.of(), "not valid YAML: " + syntax(marked));
        }
        if (!(e instanceof JsonMappingException mapping)) {
            return mistake(file, e.getLocation() == null ? 1 : e.getLocation().getLineNr(), List.of(),
                    e.getOriginalMessage());
        }
        List<Object> at = mapping.getPath().stream()
                .<Object>map(ref -> ref.getFieldName() != null ? ref.getFieldName() : ref.getIndex()).toList();
        // an unknown key is placed at its line but named in the message, after the object that has it
        List<Object> where = e instanceof UnrecognizedPropertyException ? at.subList(0, at.size() - 1) : at;
        return mistake(file, lineOf(yaml, at), where, describe(mapping));
    }

    /** {@code notifyFile /etc/rules.yaml: line 14: rules[0].for: what}. */
    private static ConfigurationException mistake(Path file, int line, List<Object> at, String what) {
        StringBuilder path = new StringBuilder();
        for (Object step : at) {
            path.append(step instanceof Integer ? "[" + step + "]" : (path.length() == 0 ? "" : ".") + step);
        }
        return new ConfigurationException("notifyFile " + file + ": line " + line + ": "
                + (path.length() == 0 ? "" : path + ": ") + what);
    }

    /**
     * The line of the key or list item at {@code at} in the file, or of the nearest one above it
     * that is there (a key that is missing: the object that misses it).
     */
    private static int lineOf(byte[] yaml, List<Object> at) {
        int line = 1;
        try (JsonParser parser = YAML.createParser(yaml)) {
            if (parser.nextToken() == null) {
                return line;
            }
            line = parser.currentTokenLocation().getLineNr();
            for (Object step : at) {
                if (!(step instanceof String key ? toKey(parser, key) : toItem(parser, (Integer) step))) {
                    break;
                }
                line = parser.currentTokenLocation().getLineNr();
                if (step instanceof String) {
                    parser.nextToken(); // the key's value
                }
            }
        } catch (IOException e) {
            // a syntax error after what was found: the line so far
        }
        return line;
    }

    private static boolean toKey(JsonParser parser, String key) throws IOException {
        if (parser.currentToken() != JsonToken.START_OBJECT) {
            return false;
        }
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            if (parser.currentName().equals(key)) {
                return true;
            }
            parser.nextToken();
            parser.skipChildren();
        }
        return false;
    }

    private static boolean toItem(JsonParser parser, int index) throws IOException {
        if (parser.currentToken() != JsonToken.START_ARRAY) {
            return false;
        }
        JsonToken token;
        for (int i = 0; (token = parser.nextToken()) != null && token != JsonToken.END_ARRAY; i++) {
            if (i == index) {
                return true;
            }
            parser.skipChildren();
        }
        return false;
    }

    /** What is wrong with a value Jackson could not read, in one line. */
    private static String describe(JsonMappingException e) {
        if (e instanceof UnrecognizedPropertyException unknown) {
            return "unknown key " + unknown.getPropertyName() + "; known keys are "
                    + unknown.getKnownPropertyIds().stream().map(String::valueOf).sorted()
                    .collect(Collectors.joining(", "));
        }
        if (e instanceof InvalidFormatException format) {
            return "expected " + kind(format.getTargetType()) + ", was " + format.getValue()
                    + (format.getValue() instanceof Boolean ? " (YAML reads an unquoted yes, no, on, off as a boolean:"
                            + " quote it)" : "")
                    + (e.getCause() == null ? "" : " (" + e.getCause().getMessage() + ")");
        }
        String message = e.getOriginalMessage();
        if (message.startsWith("No content to map")) {
            return "the file is empty: give receivers: and rules:";
        }
        if (e instanceof MismatchedInputException mismatch && message.startsWith("Cannot ")) {
            // Jackson's "Cannot deserialize value of type `java.util.ArrayList<...>` from ...", "Cannot construct ..."
            return "expected " + kind(mismatch.getTargetType());
        }
        return message.lines().findFirst().orElse(message);
    }

    /** A type as the file's reader calls it. */
    private static String kind(Class<?> type) {
        if (type == null) {
            return "another value";
        } else if (Collection.class.isAssignableFrom(type)) {
            return "a list";
        } else if (Map.class.isAssignableFrom(type) || type.isRecord()) {
            return "a mapping (key: value)";
        } else if (type == Integer.class || type == int.class) {
            return "a whole number";
        } else if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        } else if (type == URI.class) {
            return "a URL";
        }
        return "a string";
    }

    /** A YAML syntax error in one line, with where the construct it broke began. */
    private static String syntax(MarkedYAMLException e) {
        String problem = e.getProblem() == null ? e.getContext() : e.getProblem();
        if (e.getProblem() != null && e.getContext() != null && e.getContextMark() != null) {
            problem += " (" + e.getContext() + " begun on line " + (e.getContextMark().getLine() + 1) + ")";
        }
        return problem;
    }
}
