package io.gitops.status.notify;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.gitops.status.notify.NotifierState.Attempt;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.TreeSet;

/**
 * {@code GET /notifications}: the rules and receivers (names and kinds, never URLs or secrets), the
 * open notifications, the messages waiting, and the last deliveries and dead letters. Lists are
 * cut at {@value #SHOWN} entries; the counts count them all.
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
@JsonPropertyOrder({"enabled", "rules_file", "this_process_sends", "rules", "receivers", "open_count", "open",
    "waiting_count", "waiting", "recent", "dead_letters"})
public record NotificationsView(
        @JsonProperty("enabled") boolean enabled,
        @JsonProperty("rules_file") String rulesFile,
        @JsonProperty("this_process_sends") boolean thisProcessSends,
        @JsonProperty("rules") List<RuleView> rules,
        @JsonProperty("receivers") List<ReceiverView> receivers,
        @JsonProperty("open_count") int openCount,
        @JsonProperty("open") List<OpenView> open,
        @JsonProperty("waiting_count") int waitingCount,
        @JsonProperty("waiting") List<WaitingView> waiting,
        @JsonProperty("recent") List<Attempt> recent,
        @JsonProperty("dead_letters") List<Attempt> deadLetters) {

    static final int SHOWN = 1000;

    /** What a service without {@code notifyFile} shows. */
    public static final NotificationsView DISABLED = new NotificationsView(false, null, false, List.of(), List.of(), 0,
            List.of(), 0, List.of(), List.of(), List.of());

    public record RuleView(@JsonProperty("name") String name, @JsonProperty("on") List<String> on,
            @JsonProperty("receivers") List<String> receivers) {
    }

    public record ReceiverView(@JsonProperty("name") String name, @JsonProperty("kind") String kind) {
    }

    /** A watched host: {@code pending} (waiting for for/after or its digest), {@code firing} or {@code resolving}. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record OpenView(@JsonProperty("rule") String rule, @JsonProperty("server_group") String serverGroup,
            @JsonProperty("host") String host, @JsonProperty("status") String status,
            @JsonProperty("state") String state, @JsonProperty("since") String since,
            @JsonProperty("fired_at") String firedAt) {
    }

    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record WaitingView(@JsonProperty("id") String id, @JsonProperty("receiver") String receiver,
            @JsonProperty("rule") String rule, @JsonProperty("state") String state,
            @JsonProperty("hosts") int hosts, @JsonProperty("attempts") int attempts,
            @JsonProperty("next_attempt") String nextAttempt, @JsonProperty("last_error") String lastError) {
    }

    static NotificationsView of(Path rulesFile, RuleSet rules, NotifierState state, boolean sends, Instant now) {
        List<RuleView> ruleViews = rules.rules().stream().map(rule -> new RuleView(rule.id(), rule.on(),
                rule.receivers())).toList();
        List<ReceiverView> receivers = new TreeSet<>(rules.receivers().keySet()).stream()
                .map(name -> new ReceiverView(name, rules.receivers().get(name).kind())).toList();
        List<OpenView> open = state.watches.values().stream().limit(SHOWN).map(NotificationsView::open).toList();
        List<WaitingView> waiting = state.outbox.stream().limit(SHOWN).map(p -> new WaitingView(p.message().id(),
                p.receiver(), p.message().rule(), p.message().state(), p.message().hosts().size(), p.attempts(),
                Instant.ofEpochMilli(Math.max(p.nextAt(), now.toEpochMilli())).toString(), p.lastError())).toList();
        return new NotificationsView(true, rulesFile.toString(), sends, ruleViews, receivers, state.watches.size(),
                open, state.outbox.size(), waiting, List.copyOf(state.recent), List.copyOf(state.deadLetters));
    }

    private static OpenView open(Watch watch) {
        String state = !watch.fired() ? "pending" : watch.firing() ? "firing" : "resolving";
        return new OpenView(watch.rule, watch.serverGroup, watch.host, watch.status, state,
                Instant.ofEpochMilli(watch.since).toString(),
                watch.firedAt == null ? null : Instant.ofEpochMilli(watch.firedAt).toString());
    }
}
