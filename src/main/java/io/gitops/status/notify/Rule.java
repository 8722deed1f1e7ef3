package io.gitops.status.notify;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import io.gitops.status.api.Enumerations;
import io.gitops.status.api.Glob;
import io.gitops.status.api.RecordFields;
import io.gitops.status.api.StatusRecord;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * One rule of the rules file: which hosts it watches ({@code match}: field to globs, any glob of
 * a field, every field), what opens a notification ({@code on}), how long that must hold
 * ({@code for}) or how many reports in a row ({@code after}) before it fires, and how it is sent.
 *
 * @param resolved whether a resolved message is sent (default: yes)
 * @param repeat how often a reminder is sent while the notification is open; {@code null}: never
 * @param digest how long the first host of a group that fires waits for others of its group, to go in one message
 */
record Rule(
        @JsonProperty("name") String name,
        @JsonProperty("match") @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
        Map<String, List<String>> match,
        @JsonProperty("on") List<String> on,
        @JsonProperty("for") @JsonDeserialize(using = IsoDuration.class) Duration holdFor,
        @JsonProperty("after") Integer after,
        @JsonProperty("resolved") Boolean resolved,
        @JsonProperty("repeat") @JsonDeserialize(using = IsoDuration.class) Duration repeat,
        @JsonProperty("digest") @JsonDeserialize(using = IsoDuration.class) Duration digest,
        @JsonProperty("receivers") List<String> receivers) {

    /** What {@code on} may name: a status other than synced, or {@code stale}. */
    static final Set<String> OPENERS = Set.of("out_of_sync", "failed", "unknown", "stale");
    static final String STALE = "stale";

    Rule {
        match = match == null ? Map.of() : Collections.unmodifiableMap(match);
        on = on == null ? null : on.stream().map(Enumerations::fold).toList();
        receivers = receivers == null ? null : Collections.unmodifiableList(receivers);
    }

    /** What Jackson cannot check, once the whole rule is read (so that an unknown key is told first). */
    void check() {
        if (name == null) {
            throw new RuleSet.Mistake("a rule needs a name");
        }
        if (name.isBlank()) {
            throw new RuleSet.Mistake("a name must be a non-empty string", "name");
        }
        for (Map.Entry<String, List<String>> field : match.entrySet()) {
            if (!RecordFields.FILTERABLE.containsKey(field.getKey())) {
                throw new RuleSet.Mistake("unknown field " + field.getKey() + "; fields are "
                        + String.join(", ", RecordFields.FILTERABLE.keySet()), "match", field.getKey());
            }
            if (field.getValue() == null || field.getValue().isEmpty() || field.getValue().contains(null)) {
                throw new RuleSet.Mistake("give a glob or a list of globs", "match", field.getKey());
            }
        }
        if (on == null || on.isEmpty()) {
            throw new RuleSet.Mistake("missing: name at least one of " + new TreeSet<>(OPENERS), "on");
        }
        for (int i = 0; i < on.size(); i++) {
            if (on.get(i) == null || !OPENERS.contains(on.get(i))) {
                throw new RuleSet.Mistake(on.get(i) + " is not one of " + new TreeSet<>(OPENERS), "on", i);
            }
            if (on.indexOf(on.get(i)) < i) {
                throw new RuleSet.Mistake(on.get(i) + " is named twice", "on", i);
            }
        }
        if (after != null && after < 1) {
            throw new RuleSet.Mistake("must be at least 1 report, was " + after, "after");
        }
        if (receivers == null || receivers.isEmpty() || receivers.contains(null)) {
            throw new RuleSet.Mistake("missing: name at least one receiver", "receivers");
        }
        for (int i = 0; i < receivers.size(); i++) {
            if (receivers.indexOf(receivers.get(i)) < i) {
                throw new RuleSet.Mistake(receivers.get(i) + " is named twice: it would get every message twice",
                        "receivers", i);
            }
        }
    }

    String id() {
        return name;
    }

    Duration holdForOrZero() {
        return holdFor == null ? Duration.ZERO : holdFor;
    }

    boolean sendsResolved() {
        return resolved == null || resolved;
    }

    /** Whether the record is among the hosts this rule watches. */
    boolean matches(StatusRecord record) {
        for (Map.Entry<String, List<String>> field : match.entrySet()) {
            boolean folded = RecordFields.FOLDED.contains(field.getKey());
            Function<StatusRecord, String> read = RecordFields.FILTERABLE.get(field.getKey());
            String value = folded ? Enumerations.fold(read.apply(record)) : read.apply(record);
            if (value == null || field.getValue().stream()
                    .noneMatch(glob -> Glob.matches(folded ? Enumerations.fold(glob) : glob, value))) {
                return false;
            }
        }
        return true;
    }

    /** Whether the record's status opens a notification (staleness aside). */
    boolean opensOnStatus(String status) {
        return status != null && on.contains(status);
    }

    boolean opensOnStale() {
        return on.contains(STALE);
    }
}
