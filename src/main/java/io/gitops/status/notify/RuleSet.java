package io.gitops.status.notify;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.gitops.status.config.AppConfig.ConfigurationException;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The rules file, read and checked whole: receivers, rules, the delivery policy and the public URL
 * that links a host to the status page. Any mistake is a {@link ConfigurationException} naming the
 * file and the line, and nothing of the file is used.
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
            .build();

    /** The file's shape, as written. */
    private record Shape(
            @JsonProperty("public_url") URI publicUrl,
            @JsonProperty("delivery") DeliveryPolicy delivery,
            @JsonProperty(value = "receivers", required = true) List<ReceiverSpec> receivers,
            @JsonProperty(value = "rules", required = true) List<Rule> rules) {
    }

    /** Reads and checks the rules file at {@code file}. */
    static RuleSet read(Path file) {
        byte[] yaml;
        try {
            yaml = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new ConfigurationException("notifyFile " + file + ": cannot read it: " + e);
        }
        Shape shape;
        try {
            shape = YAML.readValue(yaml, Shape.class);
        } catch (JsonProcessingException e) {
            throw new ConfigurationException("notifyFile " + file + ": " + where(e) + describe(e));
        } catch (IOException e) {
            throw new ConfigurationException("notifyFile " + file + ": " + e.getMessage());
        }
        if (shape == null || shape.receivers() == null || shape.rules() == null) {
            throw new ConfigurationException("notifyFile " + file + ": give receivers: and rules:");
        }
        Map<String, ReceiverSpec> receivers = new LinkedHashMap<>();
        Map<String, byte[]> secrets = new LinkedHashMap<>();
        for (ReceiverSpec receiver : shape.receivers()) {
            if (receivers.put(receiver.id(), receiver) != null) {
                throw mistake(file, receiver.name().line(), "receiver " + receiver.id() + " is defined twice");
            }
            if (receiver.webhook() != null && receiver.webhook().secretFile() != null) {
                secrets.put(receiver.id(), secret(file, receiver));
            }
        }
        Map<String, Rule> rules = new LinkedHashMap<>();
        for (Rule rule : shape.rules()) {
            if (rules.put(rule.id(), rule) != null) {
                throw mistake(file, rule.name().line(), "rule " + rule.id() + " is defined twice");
            }
            for (Located receiver : rule.receivers()) {
                if (!receivers.containsKey(receiver.value())) {
                    throw mistake(file, receiver.line(), "rule " + rule.id() + " names receiver " + receiver
                            + ", which is not defined (receivers: " + String.join(", ", receivers.keySet()) + ")");
                }
            }
        }
        return new RuleSet(shape.publicUrl(), shape.delivery() == null ? DeliveryPolicy.DEFAULTS : shape.delivery(),
                Map.copyOf(receivers), List.copyOf(rules.values()), Map.copyOf(secrets));
    }

    /** The rules that send to {@code receiver}. */
    List<Rule> rulesSendingTo(String receiver) {
        return rules.stream().filter(rule -> rule.receivers().stream().anyMatch(r -> r.value().equals(receiver)))
                .toList();
    }

    private static byte[] secret(Path rulesFile, ReceiverSpec receiver) {
        Path secretFile = rulesFile.toAbsolutePath().resolveSibling(receiver.webhook().secretFile());
        try {
            String first = Files.readString(secretFile, StandardCharsets.UTF_8).lines().findFirst().orElse("").strip();
            if (first.isEmpty()) {
                throw mistake(rulesFile, receiver.name().line(), "receiver " + receiver.id() + ": secret_file "
                        + secretFile + " is empty");
            }
            return first.getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw mistake(rulesFile, receiver.name().line(), "receiver " + receiver.id() + ": cannot read secret_file "
                    + secretFile + ": " + e);
        }
    }

    private static ConfigurationException mistake(Path file, int line, String what) {
        return new ConfigurationException("notifyFile " + file + ": line " + line + ": " + what);
    }

    private static String where(JsonProcessingException e) {
        return e.getLocation() == null ? "" : "line " + e.getLocation().getLineNr() + ": ";
    }

    /** The reason in one line: what our own checks said, or Jackson's message without its trimmings. */
    private static String describe(JsonProcessingException e) {
        String path = e instanceof JsonMappingException mapping ? mapping.getPath().stream()
                .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
                .collect(Collectors.joining(".")).replace(".[", "[") : "";
        String prefix = path.isEmpty() ? "" : path + ": ";
        if (e instanceof UnrecognizedPropertyException unknown) {
            return prefix + "unknown key " + unknown.getPropertyName() + "; known keys are "
                    + unknown.getKnownPropertyIds().stream().map(String::valueOf).sorted()
                    .collect(Collectors.joining(", "));
        }
        Throwable cause = e.getCause();
        String reason = cause instanceof IllegalArgumentException ? cause.getMessage() : e.getOriginalMessage();
        return prefix + reason.lines().findFirst().orElse(reason);
    }
}
