package io.gitops.status.notify;

import io.gitops.status.api.StatusRecord;
import io.gitops.status.store.StatusStore;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Sends the open alerts of each Alertmanager receiver again every {@code resend}, so that they stay
 * firing there: Alertmanager ends an alert not heard of for its {@code resolve_timeout}. Best effort,
 * outside the outbox: a failure is said and the next {@code resend} tries again. Used by the
 * sending notifier's thread only.
 */
final class OpenAlerts {

    private final StatusStore store;
    private final Clock clock;
    private final Map<String, Instant> lastSent = new HashMap<>();

    OpenAlerts(StatusStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    /** Sends again what is due; {@code warn} says a failure. */
    void resend(RuleSet rules, NotifierState state, Map<String, Channel> channels, Evaluator evaluator,
            Consumer<String> warn) {
        Instant now = clock.instant();
        for (Map.Entry<String, ReceiverSpec> receiver : rules.receivers().entrySet()) {
            ReceiverSpec.Alertmanager alertmanager = receiver.getValue().alertmanager();
            Instant last = lastSent.get(receiver.getKey());
            if (alertmanager == null || (last != null && now.isBefore(last.plus(alertmanager.resend())))) {
                continue;
            }
            lastSent.put(receiver.getKey(), now);
            for (Message message : open(rules.rulesSendingTo(receiver.getKey()), state, evaluator, now)) {
                try {
                    channels.get(receiver.getKey()).send(message);
                } catch (Channel.DeliveryException | RuntimeException e) {
                    warn.accept("notifications: re-sending the open alerts to " + receiver.getKey()
                            + " failed (tried again in " + alertmanager.resend() + "): " + e.getMessage());
                    break;
                }
            }
        }
    }

    /** Forgets when each was sent: a sender taking over sends them at once. */
    void forget() {
        lastSent.clear();
    }

    /** The firing notifications of {@code sending}, at most {@value Evaluator#MAX_HOSTS} hosts a message. */
    private List<Message> open(List<Rule> sending, NotifierState state, Evaluator evaluator, Instant now) {
        List<Message> messages = new ArrayList<>();
        for (Rule rule : sending) {
            List<Watch> open = state.watches.values().stream()
                    .filter(w -> w.rule.equals(rule.id()) && w.firing()).toList();
            for (int from = 0; from < open.size(); from += Evaluator.MAX_HOSTS) {
                List<Watch> chunk = open.subList(from, Math.min(open.size(), from + Evaluator.MAX_HOSTS));
                Map<String, StatusRecord> current = new HashMap<>();
                chunk.forEach(w -> store.find(w.serverGroup, w.host).ifPresent(r -> current.put(w.key(), r)));
                messages.add(evaluator.stillOpen(rule, chunk, current, now));
            }
        }
        return messages;
    }
}
