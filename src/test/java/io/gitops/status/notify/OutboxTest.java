package io.gitops.status.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The outbox tells of each outcome before the next message leaves, so that the notifier can save
 * it first (when it does: {@code DurabilityTest}).
 */
class OutboxTest {

    private final NotifierState state = new NotifierState();
    /** What happened, in order: "send <id>" and "save". */
    private final List<String> events = new ArrayList<>();

    @Test
    void eachDeliveryIsToldBeforeTheNextMessageLeaves() {
        queue(100);
        deliver();
        assertEquals(0, state.outbox.size());
        for (int i = 0; i < events.size(); i += 2) {
            assertTrue(events.get(i).startsWith("send "), events.toString());
            assertEquals("save", events.get(i + 1), "saved after " + events.get(i));
        }
        assertEquals(2 * 100, events.size());
    }

    @Test
    void aFailedDeliveryIsSavedAndHoldsBackTheReceiversOtherMessages() {
        queue(3);
        new Outbox(new Counters()).deliver(state, Map.of("ops", new Channel(Duration.ofSeconds(1)) {
            @Override
            void send(Message message) throws DeliveryException {
                events.add("send " + message.id());
                throw new DeliveryException("HTTP 500");
            }
        }), DeliveryPolicy.DEFAULTS, Instant::now, () -> events.add("save"));
        assertEquals(List.of("send m0", "save"), events, "one try, saved; the others wait for the next pass");
        assertEquals(1, state.outbox.get(0).attempts());
    }

    @Test
    void aSenderThatThrowsFailsTheTryNotTheNotifier() {
        queue(1);
        Counters counters = new Counters();
        new Outbox(counters).deliver(state, Map.of("ops", channel(() -> {
            throw new IllegalArgumentException("port out of range:99999");
        })), DeliveryPolicy.DEFAULTS, Instant::now, () -> events.add("save"));
        assertEquals(1, state.outbox.get(0).attempts());
        assertTrue(state.outbox.get(0).lastError().contains("port out of range"), state.outbox.get(0).lastError());
        assertEquals(1, counters.snapshot().get("ops").get("failed"));
    }

    @Test
    void theOldestBeyondTheCapOfAReceiverAreDeadLettered() {
        queue(Outbox.MAX_WAITING + 5);
        Counters counters = new Counters();
        new Outbox(counters).deliver(state, Map.of("ops", new Channel(Duration.ofSeconds(1)) {
            @Override
            void send(Message message) throws DeliveryException {
                throw new DeliveryException("HTTP 503");
            }
        }), DeliveryPolicy.DEFAULTS, Instant::now, () -> events.add("save"));
        assertEquals(Outbox.MAX_WAITING, state.outbox.size());
        assertEquals("m5", state.outbox.get(0).message().id(), "the oldest five went");
        assertEquals(List.of("m4", "m3", "m2", "m1", "m0"),
                state.deadLetters.stream().map(NotifierState.Attempt::id).toList());
        assertEquals(5, counters.snapshot().get("ops").get("dead"));
    }

    private void queue(int messages) {
        for (int i = 0; i < messages; i++) {
            Message message = new Message("m" + i, "drift", Message.FIRING, false, Instant.EPOCH.toString(), List.of());
            state.outbox.add(new NotifierState.Pending("ops", 0, 0, null, message));
        }
    }

    private void deliver() {
        new Outbox(new Counters()).deliver(state, Map.of("ops", channel(() -> { })), DeliveryPolicy.DEFAULTS,
                Instant::now, () -> events.add("save"));
    }

    private Channel channel(Runnable onSend) {
        return new Channel(Duration.ofSeconds(1)) {
            @Override
            void send(Message message) {
                events.add("send " + message.id());
                onSend.run();
            }
        };
    }
}
