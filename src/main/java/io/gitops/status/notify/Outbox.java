package io.gitops.status.notify;

import io.gitops.status.notify.NotifierState.Attempt;
import io.gitops.status.notify.NotifierState.Pending;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
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

    /** Messages that may wait for one receiver; the oldest beyond are dead-lettered. */
    static final int MAX_WAITING = 10_000;

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
        if (dropOverflow(state, clock)) {
            delivered.run();
        }
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
            } catch (RuntimeException e) {
                // whatever the message or the receiver's URL holds, it fails this try, not the notifier
                error = e.toString();
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

    /**
     * Dead-letters the oldest messages of a receiver with more than {@value #MAX_WAITING} waiting (one
     * down for long while much changes), so that the outbox, and the state written with it, stay
     * bounded; returns whether any went.
     */
    private boolean dropOverflow(NotifierState state, Clock clock) {
        Map<String, Integer> waiting = new HashMap<>();
        state.outbox.forEach(pending -> waiting.merge(pending.receiver(), 1, Integer::sum));
        boolean dropped = false;
        for (Map.Entry<String, Integer> receiver : waiting.entrySet()) {
            int excess = receiver.getValue() - MAX_WAITING;
            for (Iterator<Pending> it = state.outbox.iterator(); excess > 0 && it.hasNext(); ) {
                Pending pending = it.next();
                if (pending.receiver().equals(receiver.getKey())) {
                    it.remove();
                    excess--;
                    dropped = true;
                    state.remember(Attempt.of(pending, "dead", pending.attempts(), clock.now().toString(),
                            "more than " + MAX_WAITING + " messages waiting for " + receiver.getKey()));
                    counters.add(pending.receiver(), Counters.DEAD);
                }
            }
            if (receiver.getValue() > MAX_WAITING) {
                LOG.warning("notifications: " + (receiver.getValue() - MAX_WAITING) + " of the oldest messages waiting for "
                        + receiver.getKey() + " dead-lettered: more than " + MAX_WAITING + " were waiting");
            }
        }
        return dropped;
    }

    /** The time, read afresh for each delivery: a slow receiver must not date the next one. */
    interface Clock {
        Instant now();
    }
}
