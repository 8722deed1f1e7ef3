package io.gitops.status.notify;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.gitops.status.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The notifier's durable state, kept as one {@link io.gitops.status.store.SharedDocument}: the
 * watches (hosts under a rule, pending or open), the outbox (each message not yet delivered to
 * each of its receivers) and the last deliveries and dead letters. Everything a restart, or
 * another process taking over, needs to go on where the last sender stopped.
 *
 * <p>Not thread-safe: the sending thread owns it; others see it through {@link NotificationsView} copies.
 */
final class NotifierState {

    /** How many finished deliveries, and apart from them dead letters, are kept to show. */
    static final int KEPT = 100;
    /**
     * The document's version. It is read with the application's mapper, which passes over unknown
     * keys: a state a newer version wrote is read for what this one knows.
     */
    static final int VERSION = 1;

    final Map<String, Watch> watches = new LinkedHashMap<>();
    final List<Pending> outbox = new ArrayList<>();
    final Deque<Attempt> recent = new ArrayDeque<>();
    final Deque<Attempt> deadLetters = new ArrayDeque<>();

    /** A message waiting for one receiver: tried {@code attempts} times, next not before {@code nextAt}. */
    @JsonPropertyOrder({"receiver", "attempts", "next_at", "last_error", "message"})
    record Pending(@JsonProperty("receiver") String receiver, @JsonProperty("attempts") int attempts,
            @JsonProperty("next_at") long nextAt, @JsonProperty("last_error") String lastError,
            @JsonProperty("message") Message message) {
    }

    /** A delivery as {@code GET /notifications} shows it: {@code sent}, or {@code dead} after the last try. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    @JsonPropertyOrder({"id", "receiver", "rule", "state", "reminder", "hosts", "outcome", "attempts", "at", "error"})
    record Attempt(@JsonProperty("id") String id, @JsonProperty("receiver") String receiver,
            @JsonProperty("rule") String rule, @JsonProperty("state") String state,
            @JsonProperty("reminder") boolean reminder, @JsonProperty("hosts") int hosts,
            @JsonProperty("outcome") String outcome, @JsonProperty("attempts") int attempts,
            @JsonProperty("at") String at, @JsonProperty("error") String error) {

        static Attempt of(Pending pending, String outcome, int attempts, String at, String error) {
            Message message = pending.message();
            return new Attempt(message.id(), pending.receiver(), message.rule(), message.state(), message.reminder(),
                    message.hosts().size(), outcome, attempts, at, error);
        }
    }

    private record Document(@JsonProperty("version") int version, @JsonProperty("watches") List<Watch> watches,
            @JsonProperty("outbox") List<Pending> outbox, @JsonProperty("recent") List<Attempt> recent,
            @JsonProperty("dead_letters") List<Attempt> deadLetters) {
    }

    void remember(Attempt attempt) {
        Deque<Attempt> log = "dead".equals(attempt.outcome()) ? deadLetters : recent;
        log.addFirst(attempt);
        while (log.size() > KEPT) {
            log.removeLast();
        }
    }

    byte[] toBytes() {
        try {
            return Json.mapper().writeValueAsBytes(new Document(VERSION, List.copyOf(watches.values()), outbox,
                    List.copyOf(recent), List.copyOf(deadLetters)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static NotifierState fromBytes(byte[] bytes) {
        NotifierState state = new NotifierState();
        try {
            Document document = Json.mapper().readValue(bytes, Document.class);
            if (document.watches() != null) {
                document.watches().forEach(watch -> state.watches.put(watch.key(), watch));
            }
            if (document.outbox() != null) {
                state.outbox.addAll(document.outbox());
            }
            if (document.recent() != null) {
                state.recent.addAll(document.recent());
            }
            if (document.deadLetters() != null) {
                state.deadLetters.addAll(document.deadLetters());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("the notifier's state cannot be read: " + e.getMessage(), e);
        }
        return state;
    }
}
