package io.gitops.status.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gitops.status.store.SharedDocument;
import io.gitops.status.store.StatusStore;
import io.gitops.status.store.StoreUnavailableException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The notifier when its lease goes (the database session holding it ended) and cannot be taken
 * again for a while (the database away): it sends nothing, and says it does not send.
 */
class NotifierLeaseTest {

    @TempDir
    Path dir;
    NotifyFixture fixture;
    WebhookReceiver hook;
    LosableDocument document;
    StatusStore store;

    @BeforeEach
    void setUp() throws Exception {
        fixture = new NotifyFixture(dir);
        hook = new WebhookReceiver(null);
        fixture.rules("""
                receivers:
                  - name: ops
                    webhook: {url: "%s"}
                rules:
                  - name: drift
                    match: {server_group: "web-*"}
                    on: [out_of_sync]
                    receivers: [ops]
                """.formatted(hook.url()));
        document = new LosableDocument(fixture.store.document(Notifier.DOCUMENT));
        // the fixture's file store, but with the document above
        store = (StatusStore) Proxy.newProxyInstance(StatusStore.class.getClassLoader(), new Class<?>[] {StatusStore.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("document")) {
                        return document;
                    }
                    try {
                        return method.invoke(fixture.store, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    @AfterEach
    void tearDown() {
        hook.close();
        fixture.close();
    }

    @Test
    void aSenderThatLostItsLeaseAndCannotTakeItAgainSendsNothingAndSaysSo() {
        try (Notifier notifier = fixture.notifier(store)) {
            fixture.pipeline("web-a", "h1", "synced");
            fixture.cron("web-a", "h1", "out_of_sync");
            fixture.clock.catchUp();
            notifier.look();
            assertEquals(1, hook.requests().size());
            assertTrue(notifier.view().thisProcessSends());

            document.lost = true;
            fixture.pipeline("web-a", "h2", "synced");
            fixture.cron("web-a", "h2", "out_of_sync");
            fixture.clock.catchUp();
            notifier.look();
            assertEquals(1, hook.requests().size(), "sent without the lease");
            assertFalse(notifier.view().thisProcessSends(), "says it sends without the lease");
            assertEquals(1, notifier.view().openCount(), "shows the state saved last");

            document.lost = false;
            fixture.clock.catchUp();
            notifier.look();
            assertTrue(notifier.view().thisProcessSends());
            assertEquals(2, hook.requests().size(), "h2 once the lease is back");
        }
    }

    /**
     * A document whose lease can be lost: while {@link #lost}, a lease held says so and writes
     * nothing, and no lease can be taken (whether one is free cannot be found out).
     */
    private static final class LosableDocument implements SharedDocument {
        private final SharedDocument document;
        volatile boolean lost;

        LosableDocument(SharedDocument document) {
            this.document = document;
        }

        @Override
        public Optional<byte[]> read() {
            return document.read();
        }

        @Override
        public Optional<Lease> tryLease() {
            if (lost) {
                throw new StoreUnavailableException("the database is away");
            }
            return document.tryLease().map(lease -> new Lease() {
                @Override
                public void write(byte[] bytes) {
                    if (lost) {
                        throw new StoreUnavailableException("the lease's session ended");
                    }
                    lease.write(bytes);
                }

                @Override
                public boolean held() {
                    return !lost && lease.held();
                }

                @Override
                public void close() {
                    lease.close();
                }
            });
        }
    }
}
