package io.gitops.status.notify;

import io.gitops.status.api.StatusRecord;
import io.gitops.status.api.Staleness;
import io.gitops.status.api.Timestamps;
import io.gitops.status.api.Transition;
import io.gitops.status.store.StatusStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

/**
 * Compares the records with the watches and queues the messages due, at one instant. It is level-
 * triggered: what it decides follows from the records, which are durable, and the watches, which
 * are saved before a message leaves, so a restart (or another sender taking over) decides the same.
 *
 * <ul>
 * <li>A host opens a watch when it enters a status of the rule's {@code on} (or turns stale, when
 *     {@code on} names it). Its {@code since} comes from the record's history, so a restart does
 *     not restart the debounce.
 * <li>It fires once it has held for {@code for} and been reported {@code after} times in a row
 *     (a stale host reports nothing, so {@code after} does not hold it back); a host leaving the
 *     statuses before then closes the watch without a message.
 * <li>A fired watch resolves when the host is {@code synced} and fresh again, is deleted or no
 *     longer matches the rule; it stays open while the host is in any other status.
 * <li>With {@code digest}, the hosts of one group that fire (or resolve) within that time of the
 *     first go in one message; reminders ({@code repeat}) of one group go together too.
 * </ul>
 *
 * <p>{@code after} counts the reports this notifier sees: reports closer together than its look
 * (about a second), or sent while no notifier ran, count once. A host that left the statuses
 * meanwhile, as its history shows, starts again (for {@code for} too), unless within one second.
 */
final class Evaluator {

    /** Hosts in one message at most; a larger digest goes out in several. */
    static final int MAX_HOSTS = 1000;

    private final Staleness staleness;
    private final StatusStore store;
    private final int historySize;
    private final HostLinks links;

    /** Over {@code store}, whose {@code historySize} last transitions of a host date its watch. */
    Evaluator(Staleness staleness, StatusStore store, int historySize, HostLinks links) {
        this.staleness = staleness;
        this.store = store;
        this.historySize = historySize;
        this.links = links;
    }

    /** Brings the watches up to date with the records at {@code now}; returns the messages queued. */
    List<Message> evaluate(RuleSet rules, List<StatusRecord> records, NotifierState state, Instant now) {
        Set<String> ruleIds = new HashSet<>();
        rules.rules().forEach(rule -> ruleIds.add(rule.id()));
        state.watches.values().removeIf(watch -> !ruleIds.contains(watch.rule)); // rules since removed
        List<Message> queued = new ArrayList<>();
        for (Rule rule : rules.rules()) {
            Map<String, StatusRecord> current = new HashMap<>(); // the watched hosts that match, by watch key
            for (StatusRecord record : records) {
                if (rule.matches(record)) {
                    String key = Watch.key(rule.id(), record.serverGroup(), record.host());
                    look(rule, key, record, state, now);
                    if (state.watches.containsKey(key)) {
                        current.put(key, record);
                    }
                }
            }
            Map<String, StatusRecord> left = new HashMap<>(); // hosts that no longer match, still there
            for (Watch watch : state.watches.values()) {
                if (watch.rule.equals(rule.id()) && !current.containsKey(watch.key())) {
                    watch.gone = true; // deleted, or its fields no longer match
                    if (watch.resolvedAt == null) {
                        watch.resolvedAt = now.toEpochMilli();
                    }
                    store.find(watch.serverGroup, watch.host).ifPresent(still -> left.put(watch.key(), still));
                }
            }
            current.putAll(left);
            state.watches.values().removeIf(watch -> watch.rule.equals(rule.id()) && !watch.fired()
                    && (watch.gone || watch.resolvedAt != null));
            queued.addAll(emit(rule, state, current, now));
        }
        for (Message message : queued) {
            Rule rule = rules.rules().stream().filter(r -> r.id().equals(message.rule())).findFirst().orElseThrow();
            rule.receivers().forEach(receiver -> state.outbox.add(
                    new NotifierState.Pending(receiver, 0, now.toEpochMilli(), null, message)));
        }
        return queued;
    }

    /** Updates the host's watch under {@code rule} from its record. */
    private void look(Rule rule, String key, StatusRecord record, NotifierState state, Instant now) {
        Watch watch = state.watches.get(key);
        boolean byStatus = rule.opensOnStatus(record.status());
        boolean stale = staleness.isStale(record, now);
        boolean open = byStatus || (rule.opensOnStale() && stale);
        if (open) {
            if (watch != null && !watch.fired() && byStatus && leftUnseen(rule, record, watch)) {
                watch = null; // it flapped back and out again between two looks: for and after start again
            }
            if (watch == null) {
                watch = start(rule, record, byStatus, stale, now);
                state.watches.put(key, watch);
            } else if (byStatus && !watch.fired() && !Objects.equals(watch.lastReport, record.timestamp())) {
                watch.reports++; // only until it fires: an open host's reports must not rewrite the state
                watch.lastReport = record.timestamp();
            }
            watch.status = record.status();
            if (!watch.fired()) {
                watch.environment = record.environment(); // from firing on, it names the Alertmanager alert
            }
            watch.resolvedAt = null; // back in trouble before its resolved message left
            watch.gone = false;
            if (!watch.fired() && watch.dueAt == null && due(rule, watch, byStatus && !(stale && rule.opensOnStale()), now)) {
                watch.dueAt = now.toEpochMilli();
            }
        } else if (watch != null) {
            watch.status = record.status();
            watch.gone = false;
            boolean resolves = "synced".equals(record.status()) && !stale;
            if (!watch.fired()) {
                state.watches.remove(key); // a flap shorter than for/after: nothing is sent
            } else if (resolves && watch.resolvedAt == null) {
                watch.resolvedAt = now.toEpochMilli();
            } else if (!resolves) {
                watch.resolvedAt = null;
            }
        }
    }

    /**
     * Whether the host's history shows it left the rule's statuses after the watch's last counted
     * report (and came back), unseen: between two looks, or while no notifier ran. Looked up only
     * on a new report; a flap within the report's second cannot be told.
     */
    private boolean leftUnseen(Rule rule, StatusRecord record, Watch watch) {
        Instant last = Timestamps.instant(watch.lastReport);
        if (last == null || Objects.equals(watch.lastReport, record.timestamp())) {
            return false;
        }
        for (Transition transition : store.history(record, historySize)) {
            Instant at = Timestamps.instant(transition.at());
            if (at != null && at.isAfter(last) && !rule.opensOnStatus(transition.to())) {
                return true;
            }
        }
        return false;
    }

    /** A new watch: since when the host has been in the rule's statuses, and what it was before. */
    private Watch start(Rule rule, StatusRecord record, boolean byStatus, boolean stale, Instant now) {
        Watch watch = new Watch(rule.id(), record.serverGroup(), record.host());
        Instant since = null;
        String previous = record.status();
        if (byStatus) {
            Instant written = Timestamps.instant(record.timestamp());
            since = written == null ? now : written;
            previous = null;
            List<Transition> transitions = store.history(record, historySize);
            for (int i = transitions.size() - 1; i >= 0 && rule.opensOnStatus(transitions.get(i).to()); i--) {
                Instant at = Timestamps.instant(transitions.get(i).at());
                since = at == null ? since : at;
                previous = transitions.get(i).from();
            }
            watch.reports = 1;
            watch.lastReport = record.timestamp();
        }
        if (rule.opensOnStale() && stale) {
            Instant staleSince = staleness.staleSince(record);
            since = since == null || staleSince.isBefore(since) ? staleSince : since;
        }
        watch.since = since.toEpochMilli();
        watch.previousStatus = previous;
        return watch;
    }

    /** Whether the watch has held long enough; {@code counted}: whether {@code after} applies (not to a silent, stale host). */
    private static boolean due(Rule rule, Watch watch, boolean counted, Instant now) {
        boolean held = !now.isBefore(Instant.ofEpochMilli(watch.since).plus(rule.holdForOrZero()));
        boolean reported = rule.after() == null || !counted || watch.reports >= rule.after();
        return held && reported;
    }

    /** The messages of {@code rule} due now: firing, resolved and reminders, per host or per group. */
    private List<Message> emit(Rule rule, NotifierState state, Map<String, StatusRecord> current, Instant now) {
        Map<String, List<Watch>> groups = new LinkedHashMap<>();
        for (Watch watch : state.watches.values()) {
            if (watch.rule.equals(rule.id())) {
                groups.computeIfAbsent(rule.digest() == null ? watch.key() : watch.serverGroup,
                        g -> new ArrayList<>()).add(watch);
            }
        }
        long nowMs = now.toEpochMilli();
        long window = rule.digest() == null ? 0 : rule.digest().toMillis();
        List<Message> messages = new ArrayList<>();
        for (List<Watch> group : groups.values()) {
            List<Watch> firing = group.stream().filter(w -> !w.fired() && w.dueAt != null).toList();
            if (!firing.isEmpty() && earliest(firing, w -> w.dueAt) + window <= nowMs) {
                messages.addAll(messages(rule, Message.FIRING, false, firing, current, now));
                firing.forEach(w -> {
                    w.firedAt = nowMs;
                    w.lastSent = nowMs;
                    w.dueAt = null;
                });
            }
            List<Watch> resolved = group.stream().filter(w -> w.fired() && w.resolvedAt != null).toList();
            if (!resolved.isEmpty() && earliest(resolved, w -> w.resolvedAt) + window <= nowMs) {
                if (rule.sendsResolved()) {
                    messages.addAll(messages(rule, Message.RESOLVED, false, resolved, current, now));
                }
                resolved.forEach(w -> state.watches.remove(w.key()));
            }
            if (rule.repeat() != null) {
                List<Watch> open = group.stream().filter(w -> w.firing()
                        && w.lastSent != nowMs).toList();
                if (open.stream().anyMatch(w -> w.lastSent + rule.repeat().toMillis() <= nowMs)) {
                    messages.addAll(messages(rule, Message.FIRING, true, open, current, now));
                    open.forEach(w -> w.lastSent = nowMs);
                }
            }
        }
        return messages;
    }

    /** One firing message of every open (fired, not resolving) host of {@code rule}, for a receiver that needs them again. */
    Message stillOpen(Rule rule, List<Watch> open, Map<String, StatusRecord> current, Instant now) {
        return message(rule, Message.FIRING, true, open, current, now);
    }

    private static long earliest(List<Watch> watches, Function<Watch, Long> time) {
        return watches.stream().map(time).min(Comparator.naturalOrder()).orElseThrow();
    }

    /** One message, or several of at most {@value #MAX_HOSTS} hosts each: a receiver takes a body of bounded size. */
    private List<Message> messages(Rule rule, String state, boolean reminder, List<Watch> watches,
            Map<String, StatusRecord> current, Instant now) {
        List<Message> messages = new ArrayList<>();
        for (int from = 0; from < watches.size(); from += MAX_HOSTS) {
            messages.add(message(rule, state, reminder, watches.subList(from, Math.min(watches.size(), from + MAX_HOSTS)),
                    current, now));
        }
        return messages;
    }

    private Message message(Rule rule, String state, boolean reminder, List<Watch> watches,
            Map<String, StatusRecord> current, Instant now) {
        List<HostEntry> hosts = new ArrayList<>();
        for (Watch watch : watches) {
            hosts.add(entry(watch, current.get(watch.key()), now));
        }
        return new Message(UUID.randomUUID().toString(), rule.id(), state, reminder, now.toString(), hosts);
    }

    private HostEntry entry(Watch watch, StatusRecord record, Instant now) {
        String since = Instant.ofEpochMilli(watch.since).toString();
        String url = links.of(watch.serverGroup, watch.host);
        if (record == null) {
            return new HostEntry(watch.serverGroup, watch.host, watch.status, watch.previousStatus, since, false, true,
                    List.of(), 0, null, null, watch.environment, Map.of(), url);
        }
        return new HostEntry(record.serverGroup(), record.host(), record.status(), watch.previousStatus, since,
                staleness.isStale(record, now), false, record.changedFiles(), record.changedFiles().size(),
                record.commitSha(), record.validationMessage(), watch.environment, record.labels(), url);
    }
}
