package io.gitops.status.notify;

import io.gitops.status.api.Staleness;
import io.gitops.status.api.StatusRecord;
import io.gitops.status.store.SharedDocument;
import io.gitops.status.store.StatusStore;
import io.gitops.status.store.StoreUnavailableException;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Sends notifications on the rules of {@code notifyFile}. Every process (or replica) sharing a
 * store runs one; only the holder of the state document's lease sends, the others try to take it
 * over every second, so that exactly one sends and another goes on within a second or two when it
 * dies.
 *
 * <p>Each look (every second, on its own thread): the rules read again if changed; the records
 * compared with the watches ({@link Evaluator}); the state, with the messages it queued, saved
 * durably before any of them leaves; the due messages delivered ({@link Outbox}), each outcome
 * saved before the next message leaves (a large state: at most once a second, see {@link
 * #delivered}). A crash anywhere loses nothing: what was queued is in the saved outbox or follows
 * again from the records, and a message delivered but not yet marked so is delivered again, with
 * the same id.
 */
public final class Notifier implements NotificationStatus, AutoCloseable {

    /** The state document's name, beside the store's data. */
    public static final String DOCUMENT = "notifications";
    private static final Logger LOG = Logger.getLogger(Notifier.class.getName());
    private static final Duration LOOK_EVERY = Duration.ofSeconds(1);
    private static final int SAVE_EACH_DELIVERY_UP_TO_BYTES = 256 * 1024;
    private static final long SAVE_EVERY_NANOS = Duration.ofSeconds(1).toNanos();

    private final RulesFile rulesFile;
    private final StatusStore store;
    private final SharedDocument document;
    private final Staleness staleness;
    private final int historySize;
    private final Clock clock;
    private final Counters counters = new Counters();
    private final Outbox outbox = new Outbox(counters);
    private final OpenAlerts openAlerts;
    private final ScheduledExecutorService looker;

    private volatile RuleSet rules;
    private Evaluator evaluator;
    private Map<String, Channel> channels;
    private SharedDocument.Lease lease;
    private NotifierState state;
    private long savedWatches;
    private int savedBytes;
    private long savedAtNanos;
    private boolean unsavedDeliveries;
    private long saves;
    private String lastWarning;
    private volatile NotificationsView view;

    public Notifier(RulesFile rulesFile, StatusStore store, Staleness staleness, int historySize, Clock clock) {
        this.rulesFile = rulesFile;
        this.store = store;
        this.document = store.document(DOCUMENT);
        this.staleness = staleness;
        this.historySize = historySize;
        this.clock = clock;
        this.openAlerts = new OpenAlerts(store, clock);
        use(this.rulesFile.rules());
        this.looker = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "gitops-status-notifier");
            thread.setDaemon(true);
            return thread;
        });
    }

    public void start() {
        looker.scheduleWithFixedDelay(this::lookLogged, 0, LOOK_EVERY.toMillis(), TimeUnit.MILLISECONDS);
        LOG.info("notifications: " + rules.rules().size() + " rule(s), " + rules.receivers().size()
                + " receiver(s) from " + rulesFile.path().toAbsolutePath());
    }

    /**
     * One look: read the rules again if changed, become the sender if nobody is, evaluate, save,
     * deliver, save. Called by the timer; tests call it directly with a clock of their own.
     */
    public synchronized void look() {
        rulesFile.reloaded().ifPresent(this::use);
        if (!leased()) {
            return;
        }
        List<StatusRecord> records = null;
        try {
            records = store.all();
        } catch (StoreUnavailableException e) {
            warnOnce("notifications: the records cannot be read, nothing new is notified until they can"
                    + " (messages already made are still sent): " + e.getMessage());
        }
        try {
            if (records != null) {
                List<Message> queued = evaluator.evaluate(rules, records, state, clock.instant());
                long watches = fingerprint();
                if (!queued.isEmpty() || watches != savedWatches) {
                    save(watches);
                }
            }
            outbox.deliver(state, channels, rules.delivery(), clock::instant, this::delivered);
            if (unsavedDeliveries) {
                save(fingerprint());
            }
            openAlerts.resend(rules, state, channels, evaluator, this::warnOnce);
            publish(true);
            if (records != null) {
                lastWarning = null;
            }
        } catch (StoreUnavailableException e) {
            // a history that could not be read, or a state that could not be saved: what this look
            // changed is dropped with the lease, and the next one starts again from the saved state
            warnOnce("notifications: the store is unavailable, nothing is sent until it is back: " + e.getMessage());
            letGo();
        }
    }

    @Override
    public Map<String, Map<String, Long>> counts() {
        return counters.snapshot();
    }

    /** From memory in the sending process, else from the state document the sender saved last. */
    @Override
    public NotificationsView view() {
        NotificationsView mine = view;
        if (mine != null && mine.thisProcessSends()) {
            return mine;
        }
        Optional<byte[]> bytes = document.read();
        try {
            NotifierState saved = bytes.map(NotifierState::fromBytes).orElseGet(NotifierState::new);
            return NotificationsView.of(rulesFile.path(), rules, saved, false, clock.instant());
        } catch (java.io.UncheckedIOException e) {
            throw new StoreUnavailableException(e.getMessage()); // the sender starts it afresh when it takes over
        }
    }

    @Override
    public void close() {
        looker.shutdown();
        try {
            looker.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            letGo();
        }
    }

    private void use(RuleSet read) {
        rules = read;
        evaluator = new Evaluator(staleness, store, historySize, new HostLinks(read.publicUrl()));
        Map<String, Channel> built = new HashMap<>();
        Duration timeout = read.delivery().timeout();
        read.receivers().forEach((name, spec) -> {
            counters.declare(name);
            if (spec.webhook() != null) {
                built.put(name, new WebhookChannel(timeout, spec.webhook().url(), read.secrets().get(name)));
            } else if (spec.alertmanager() != null) {
                built.put(name, new AlertmanagerChannel(timeout, spec.alertmanager().url()));
            } else {
                built.put(name, new SlackChannel(timeout, spec.slack().url()));
            }
        });
        channels = built;
    }

    /** Whether this process holds the lease (taking it when free), with the state it saved or took over. */
    private boolean leased() {
        if (lease != null && lease.held()) {
            return true;
        }
        letGo();
        try {
            Optional<SharedDocument.Lease> taken = document.tryLease();
            if (taken.isEmpty()) {
                publish(false);
                return false;
            }
            lease = taken.get();
            Optional<byte[]> bytes = document.read();
            state = bytes.map(Notifier::readState).orElseGet(NotifierState::new);
            savedWatches = fingerprint();
            savedBytes = bytes.map(b -> b.length).orElse(0);
            LOG.info("notifications: this process sends them now (" + state.watches.size() + " watch(es), "
                    + state.outbox.size() + " message(s) waiting)");
            return true;
        } catch (StoreUnavailableException | java.io.UncheckedIOException e) {
            warnOnce("notifications: cannot take over sending: " + e.getMessage());
            letGo();
            return false;
        }
    }

    /**
     * The saved state; a damaged one (written by something else: the notifier replaces it whole)
     * is replaced by an empty one, so that notifications go on: what is open now fires again.
     */
    private static NotifierState readState(byte[] bytes) {
        try {
            return NotifierState.fromBytes(bytes);
        } catch (java.io.UncheckedIOException e) {
            LOG.severe("notifications: " + e.getMessage() + "; starting afresh: the notifications open now are"
                    + " sent again, messages that were waiting are lost");
            return new NotifierState();
        }
    }

    /**
     * Writes the state whole: durable before any message it holds is sent. Called only when
     * something changed, so that a large fleet in trouble is not written out every second.
     */
    private void save(long watches) {
        byte[] bytes = state.toBytes();
        lease.write(bytes);
        savedWatches = watches;
        savedBytes = bytes.length;
        savedAtNanos = System.nanoTime();
        unsavedDeliveries = false;
        saves++;
    }

    /** How often the state was written, for the tests of when it is. */
    long saves() {
        return saves;
    }

    /**
     * After each delivery: the state saved at once while it is small (256 KiB), so that a crash sends again
     * only the message in flight; a large one (a fleet in trouble) at most once a second and at
     * the end of the pass, so that draining a long outbox does not write it once per message: a
     * crash then sends again at most a second's deliveries, under their ids.
     */
    private void delivered() {
        if (savedBytes <= SAVE_EACH_DELIVERY_UP_TO_BYTES || System.nanoTime() - savedAtNanos >= SAVE_EVERY_NANOS) {
            save(fingerprint());
        } else {
            unsavedDeliveries = true;
        }
    }

    private long fingerprint() {
        long sum = state.watches.size();
        for (Watch watch : state.watches.values()) {
            sum = sum * 31 + watch.fingerprint();
        }
        return sum;
    }

    /** Logs a problem once, not every second while it lasts. */
    private void warnOnce(String warning) {
        if (!warning.equals(lastWarning)) {
            LOG.warning(warning);
            lastWarning = warning;
        }
    }

    /** Drops the lease and what this process held as the sender, the view it shows included. */
    private void letGo() {
        openAlerts.forget(); // a process that takes the lease again sends Alertmanager's open alerts at once
        view = null; // not the sender any more, even if no look gets as far as publish() for a while
        if (lease != null) {
            lease.close();
            lease = null;
        }
        state = null;
        unsavedDeliveries = false;
    }

    private void publish(boolean sending) {
        view = sending ? NotificationsView.of(rulesFile.path(), rules, state, true, clock.instant()) : null;
    }

    private void lookLogged() {
        try {
            look();
        } catch (RuntimeException | Error e) {
            // whatever it was (an OutOfMemoryError included), the next look must come
            LOG.log(Level.WARNING, "notifications: a look failed; the next one tries again", e);
            synchronized (this) {
                letGo();
            }
        }
    }
}
