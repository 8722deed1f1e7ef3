package io.gitops.status.notify;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.gitops.status.config.AppConfig.ConfigurationException;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * The rules file, read and checked whole: receivers, rules, the delivery policy and the public URL
 * that links a host to the status page. Any mistake is a {@link ConfigurationException} naming the
 * file and the line, and nothing of the file is used.
 *
 * <p>Jackson reads the file's shape (types, durations, unknown keys); the records then check what
 * it cannot ({@link Mistake}, found after the whole object is read). Either way the mistake is
 * placed by its path in the file ({@code rules[0].on[1]}), whose line is looked up in the YAML:
 * Jackson's own position is where it noticed, often the line after the object.
 *
 * @param secrets each signed webhook's key, read from its {@code secret_file} when the rules were read
 */
record RuleSet(URI publicUrl, DeliveryPolicy delivery, Map<String, ReceiverSpec> receivers, List<Rule> rules,
        Map<String, byte[]> secrets) {

    private static final YAMLMapper YAML = YAMLMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            // YAML 1.1 reads an unquoted no, off or yes as a boolean: as a glob or a name it would
            // silently become "false"; refused, the user is told to quote it
            .withCoercionConfig(LogicalType.Textual, config -> config.setCoercion(CoercionInputShape.Boolean,
                    CoercionAction.Fail))
            .build();

    /** The file's shape, as written. */
    private record Shape(
            @JsonProperty("public_url") URI publicUrl,
            @JsonProperty("delivery") DeliveryPolicy delivery,
            @JsonProperty("receivers") List<ReceiverSpec> receivers,
            @JsonProperty("rules") List<Rule> rules) {
    }

    /**
     * A mistake the records find once they are read, with where it is: the keys and list indexes
     * from the object that found it, made whole with {@link #under} on the way up.
     */
    static final class Mistake extends RuntimeException {
        final List<Object> at;

        Mistake(String what, Object... at) {
            this(what, List.of(at));
        }

        private Mistake(String what, List<Object> at) {
            super(what, null, false, false);
            this.at = at;
        }

        Mistake under(Object... outer) {
            List<Object> path = new ArrayList<>(List.of(outer));
            path.addAll(at);
            return new Mistake(getMessage(), path);
        }
    }

    /** Reads and checks the rules file at {@code file}. */
    static RuleSet read(Path file) {
        byte[] yaml;
        try {
            yaml = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new ConfigurationException("notifyFile " + file + ": cannot read it: " + e);
        }
        try {
            return check(file, parse(yaml));
        } catch (Mistake mistake) {
            throw mistake(file, lineOf(yaml, mistake.at), mistake.at, mistake.getMessage());
        } catch (JsonProcessingException e) {
            throw unreadable(file, yaml, e);
        } catch (IOException e) {
            throw new ConfigurationException("notifyFile " + file + ": " + e.getMessage());
        }
    }

    /** Why Jackson could not read the file: a syntax error where the parser stopped, else the value at its path. */
    private static ConfigurationException unreadable(Path file, byte[] yaml, JsonProcessingException e) {
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

    private static Shape parse(byte[] yaml) throws IOException {
        Shape shape = YAML.readValue(yaml, Shape.class);
        if (shape == null) {
            throw new Mistake("the file is empty: give receivers: and rules:");
        }
        if (shape.receivers() == null || shape.receivers().contains(null)) {
            throw new Mistake("give a list of receivers (each with a name and one of webhook, alertmanager, slack)",
                    "receivers");
        }
        if (shape.rules() == null || shape.rules().contains(null)) {
            throw new Mistake("give a list of rules (an empty list: [] sends nothing)", "rules");
        }
        return shape;
    }

    private static RuleSet check(Path file, Shape shape) {
        if (shape.publicUrl() != null) {
            ReceiverSpec.requireHttp(shape.publicUrl(), "public_url");
        }
        DeliveryPolicy delivery = shape.delivery() == null ? DeliveryPolicy.DEFAULTS : shape.delivery();
        try {
            delivery.check();
        } catch (Mistake mistake) {
            throw mistake.under("delivery");
        }
        Map<String, ReceiverSpec> receivers = new LinkedHashMap<>();
        Map<String, byte[]> secrets = new LinkedHashMap<>();
        for (int i = 0; i < shape.receivers().size(); i++) {
            ReceiverSpec receiver = shape.receivers().get(i);
            try {
                receiver.check();
            } catch (Mistake mistake) {
                throw mistake.under("receivers", i);
            }
            if (receivers.put(receiver.id(), receiver) != null) {
                throw new Mistake("receiver " + receiver.id() + " is defined twice", "receivers", i, "name");
            }
            if (receiver.webhook() != null && receiver.webhook().secretFile() != null) {
                secrets.put(receiver.id(), secret(file, receiver, i));
            }
        }
        Map<String, Rule> rules = new LinkedHashMap<>();
        for (int i = 0; i < shape.rules().size(); i++) {
            Rule rule = shape.rules().get(i);
            try {
                rule.check();
            } catch (Mistake mistake) {
                throw mistake.under("rules", i);
            }
            if (rules.put(rule.id(), rule) != null) {
                throw new Mistake("rule " + rule.id() + " is defined twice", "rules", i, "name");
            }
            for (int r = 0; r < rule.receivers().size(); r++) {
                String receiver = rule.receivers().get(r);
                if (!receivers.containsKey(receiver)) {
                    throw new Mistake("receiver " + receiver + " is not defined (receivers: "
                            + String.join(", ", receivers.keySet()) + ")", "rules", i, "receivers", r);
                }
            }
        }
        return new RuleSet(shape.publicUrl(), delivery, Map.copyOf(receivers), List.copyOf(rules.values()),
                Map.copyOf(secrets));
    }

    /** The rules that send to {@code receiver}. */
    List<Rule> rulesSendingTo(String receiver) {
        return rules.stream().filter(rule -> rule.receivers().contains(receiver))
                .toList();
    }

    /** The first line of the receiver's {@code secret_file}, a path relative to the rules file's folder. */
    private static byte[] secret(Path rulesFile, ReceiverSpec receiver, int index) {
        Path secretFile = rulesFile.toAbsolutePath().resolveSibling(receiver.webhook().secretFile());
        String first;
        try {
            first = Files.readString(secretFile, StandardCharsets.UTF_8).lines().findFirst().orElse("").strip();
        } catch (IOException e) {
            throw new Mistake("cannot read " + secretFile + ": " + e.getClass().getSimpleName(),
                    "receivers", index, "webhook", "secret_file");
        }
        if (first.isEmpty()) {
            throw new Mistake(secretFile + " is empty: its first line is the key", "receivers", index, "webhook",
                    "secret_file");
        }
        return first.getBytes(StandardCharsets.UTF_8);
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
