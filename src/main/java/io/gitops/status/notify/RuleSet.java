package io.gitops.status.notify;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.gitops.status.config.AppConfig.ConfigurationException;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The rules file, read and checked whole: receivers, rules, the delivery policy and the public URL
 * that links a host to the status page. Any mistake is a {@link ConfigurationException} naming the
 * file and the line, and nothing of the file is used.
 *
 * <p>Jackson reads the file's shape (types, durations, unknown keys); the records then check what
 * it cannot ({@link Mistake}, found after the whole object is read). Either way the mistake is
 * placed by its path in the file ({@code rules[0].on[1]}): {@link RulesFileMistakes}.
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
            throw RulesFileMistakes.placed(file, yaml, mistake.at, mistake.getMessage());
        } catch (JsonProcessingException e) {
            throw RulesFileMistakes.unreadable(file, yaml, e);
        } catch (IOException e) {
            throw new ConfigurationException("notifyFile " + file + ": " + e.getMessage());
        }
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
        Path secretFile = receiver.webhook().secretPath(rulesFile);
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
}
