package io.gitops.status.notify;

import io.gitops.status.notify.NotifierState.Attempt;
import io.gitops.status.notify.NotifierState.Pending;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Logger;

/**
 * Delivers the messages of the outbox that are due, each to its receiver, in the order they were
 * made: a delivered one leaves the outbox, a failed one waits its backoff, and one whose last try
 * failed is dead-lettered (logged, counted, kept to show). A receiver's later messages wait behind
 * its oldest, so that it never gets a resolved message before the firing one it resolves.
 */
final class Outbox {

    private static final Logger LOG = Logger.getLogger(Outbox.class.getName());


    private final Counters counters;

    Outbox(Counters counters) {
        this.counters = counters;
    }

    /**
     * One pass over the due messages, {@code delivered} run after each outcome (sent, failed or
     * dead) before the next message leaves: the notifier saves the state there, so that a crash
     * sends again only what was delivered since its last save.
     */
    void deliver(NotifierState state, Map<String, Channel> channels, DeliveryPolicy policy, Clock clock,
            Runnable delivered) {
        Set<String> waiting = new HashSet<>(); // receivers whose oldest message is not due: the later ones wait behind it
        for (Pending pending : new ArrayList<>(state.outbox)) {
            Instant now = clock.now();
            if (waiting.contains(pending.receiver()) || pending.nextAt() > now.toEpochMilli()) {
                waiting.add(pending.receiver());
                continue;
            }
            Channel channel = channels.get(pending.receiver());
            int attempts = pending.attempts() + 1;
            String error;
            try {
                if (channel == null) {
                    throw new Channel.DeliveryException("receiver " + pending.receiver() + " is no longer in the rules");
                }
                channel.send(pending.message());
                state.outbox.remove(pending);
                state.remember(Attempt.of(pending, "sent", attempts, clock.now().toString(), null));
                counters.add(pending.receiver(), Counters.SENT);
                delivered.run();
                continue;
            } catch (Channel.DeliveryException e) {
                error = e.getMessage();
            }
            counters.add(pending.receiver(), Counters.FAILED);
            int index = state.outbox.indexOf(pending);
            if (attempts >= policy.attempts() || channel == null) {
                state.outbox.remove(index);
                state.remember(Attempt.of(pending, "dead", attempts, clock.now().toString(), error));
                counters.add(pending.receiver(), Counters.DEAD);
                LOG.warning("notification " + pending.message().id() + " (" + pending.message().rule() + ", "
                        + pending.message().state() + ", " + pending.message().hosts().size() + " host(s)) to "
                        + pending.receiver() + " dead-lettered after " + attempts + " tries: " + error);
            } else {
                long next = clock.now().plus(policy.delayAfter(attempts)).toEpochMilli();
                state.outbox.set(index, new Pending(pending.receiver(), attempts, next, error, pending.message()));
                waiting.add(pending.receiver());
            }
            delivered.run();
        }
    }

    /** The time, read afresh for each delivery: a slow receiver must not date the next one. */
    interface Clock {
        Instant now();
    }

    /** What {@code gitops_notifications_total} counts, per receiver. */
    static List<String> states() {
        return List.of(Counters.SENT, Counters.FAILED, Counters.DEAD);
    }
}
