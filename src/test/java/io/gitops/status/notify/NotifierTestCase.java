package io.gitops.status.notify;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** A store and a rules file in a fresh folder, and a webhook receiver without a secret, for each test. */
abstract class NotifierTestCase {

    @TempDir
    Path dir;
    NotifyFixture fixture;
    WebhookReceiver hook;

    @BeforeEach
    void startFixture() throws Exception {
        fixture = new NotifyFixture(dir);
        hook = new WebhookReceiver(null);
    }

    @AfterEach
    void stopFixture() {
        hook.close();
        fixture.close();
    }
}
