package io.gitops.status.notify;

import static io.gitops.status.notify.NotifyFixture.hosts;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** How a notification opens and ends: {@code after} reports in a row, staleness, deletion, leaving the match. */
class LifecycleTest extends NotifierTestCase {

    private void rules(String ruleExtra) throws Exception {
        fixture.rules("""
                receivers:
                  - name: ops
                    webhook: {url: "%s"}
                rules:
                  - name: drift
                    match: {environment: prod}
                    receivers: [ops]
                %s""".formatted(hook.url(), ruleExtra.indent(4)));
    }

    @Test
    void afterFiresOnTheThirdReportInARowAndASyncedReportResets() throws Exception {
        rules("on: [out_of_sync, failed]\nafter: 3\n");
        fixture.pipeline("g", "web-1", "synced");
        try (Notifier notifier = fixture.notifier()) {
            fixture.cron("g", "web-1", "out_of_sync"); // 1
            notifier.look();
            fixture.nextSecond();
            fixture.cron("g", "web-1", "out_of_sync"); // 2
            notifier.look();
            notifier.look(); // a look is no report
            fixture.clock.advance(Duration.ofHours(1)); // nor is time
            notifier.look();
            fixture.cron("g", "web-1", "synced"); // resets
            notifier.look();
            assertEquals(0, notifier.view().openCount());

            fixture.cron("g", "web-1", "failed"); // 1
            notifier.look();
            fixture.nextSecond();
            fixture.pipeline("g", "web-1", "out_of_sync"); // 2: a pipeline report counts too
            notifier.look();
            assertEquals(List.of(), hook.requests());
            fixture.nextSecond();
            fixture.cron("g", "web-1", "out_of_sync"); // 3
            notifier.look();
            assertEquals(1, hook.requests().size());
            JsonNode firing = hook.requests().get(0).json();
            assertEquals("firing", firing.get("state").asText());
            assertEquals(Set.of("g/web-1"), hosts(firing));
        }
    }

    @Test
    void aHostThatFallsSilentFiresStaleWithoutWaitingForItsAfterReports() throws Exception {
        rules("on: [out_of_sync, stale]\nafter: 3\n");
        fixture.pipeline("g", "web-1", "synced");
        try (Notifier notifier = fixture.notifier()) {
            fixture.cron("g", "web-1", "out_of_sync"); // 1 of 3, then nothing more
            notifier.look();
            Instant checked = Instant.parse(fixture.store.find("g", "web-1").orElseThrow().lastCronCheck());
            fixture.clock.advance(Duration.between(fixture.clock.instant(), checked.plus(NotifyFixture.STALE_AFTER)));
            notifier.look();
            assertEquals(List.of(), hook.requests(), "fired before it was stale, on 1 report of 3");
            fixture.clock.advance(Duration.ofSeconds(1));
            notifier.look();
            assertEquals(1, hook.requests().size());
            JsonNode host = hook.requests().get(0).json().get("hosts").get(0);
            assertEquals("out_of_sync", host.get("status").asText());
            assertTrue(host.get("stale").asBoolean());
        }
    }

    @Test
    void theReportsCountedSoFarSurviveANewNotifier() throws Exception {
        rules("on: [out_of_sync]\nafter: 2\n");
        fixture.pipeline("g", "web-1", "synced");
        fixture.cron("g", "web-1", "out_of_sync");
        try (Notifier first = fixture.notifier()) {
            first.look();
        }
        fixture.nextSecond();
        fixture.cron("g", "web-1", "out_of_sync");
        try (Notifier second = fixture.notifier()) {
            second.look();
            assertEquals(1, hook.requests().size(), "the second report, counted on from the saved state");
        }
    }

    @Test
    void aSyncedReportNoNotifierSawStillResetsTheCount() throws Exception {
        rules("on: [out_of_sync]\nafter: 2\n");
        fixture.pipeline("g", "web-1", "synced");
        fixture.cron("g", "web-1", "out_of_sync"); // 1
        try (Notifier first = fixture.notifier()) {
            first.look();
        }
        fixture.nextSecond();
        fixture.cron("g", "web-1", "synced"); // while no notifier runs
        fixture.cron("g", "web-1", "out_of_sync"); // 1 again
        try (Notifier second = fixture.notifier()) {
            second.look();
            assertEquals(List.of(), hook.requests(), "the synced report in between reset the count");
            fixture.nextSecond();
            fixture.cron("g", "web-1", "out_of_sync"); // 2
            second.look();
            assertEquals(1, hook.requests().size());
        }
    }

    @Test
    void aFlapBackNoNotifierSawRestartsTheFor() throws Exception {
        rules("on: [out_of_sync]\nfor: PT4M\n");
        fixture.pipeline("g", "web-1", "synced");
        fixture.cron("g", "web-1", "out_of_sync");
        Instant first = Instant.parse(fixture.store.find("g", "web-1").orElseThrow().timestamp());
        try (Notifier notifier = fixture.notifier()) {
            notifier.look();
        }
        fixture.nextSecond();
        fixture.cron("g", "web-1", "synced"); // while no notifier runs
        fixture.nextSecond();
        fixture.cron("g", "web-1", "out_of_sync");
        Instant again = Instant.parse(fixture.store.find("g", "web-1").orElseThrow().timestamp());
        try (Notifier notifier = fixture.notifier()) {
            fixture.clock.advance(Duration.between(fixture.clock.instant(), first.plus(Duration.ofMinutes(4))));
            notifier.look();
            assertEquals(List.of(), hook.requests(), "4 minutes after the first drift, not after the second");
            fixture.clock.advance(Duration.between(fixture.clock.instant(), again.plus(Duration.ofMinutes(4))));
            notifier.look();
            assertEquals(1, hook.requests().size());
            assertEquals(again, Instant.parse(hook.requests().get(0).json().get("hosts").get(0).get("since").asText()));
        }
    }

    @Test
    void aHostWithoutDriftChecksForTooLongFiresStaleWithoutAnyWriteAndAFreshCheckResolves() throws Exception {
        rules("on: [out_of_sync, stale]\n");
        fixture.pipeline("g", "web-1", "synced");
        fixture.cron("g", "web-1", "synced");
        Instant checked = Instant.parse(fixture.store.find("g", "web-1").orElseThrow().lastCronCheck());
        try (Notifier notifier = fixture.notifier()) {
            notifier.look();
            fixture.clock.advance(Duration.between(fixture.clock.instant(), checked.plus(NotifyFixture.STALE_AFTER)));
            notifier.look();
            assertEquals(List.of(), hook.requests(), "not stale at exactly 30 minutes");
            fixture.clock.advance(Duration.ofSeconds(1));
            notifier.look();
            notifier.look();
            assertEquals(1, hook.requests().size());
            JsonNode host = hook.requests().get(0).json().get("hosts").get(0);
            assertEquals("firing", hook.requests().get(0).json().get("state").asText());
            assertTrue(host.get("stale").asBoolean());
            assertEquals("synced", host.get("status").asText());
            assertEquals(checked.plus(NotifyFixture.STALE_AFTER).plusMillis(1),
                    Instant.parse(host.get("since").asText()), "stale since the check plus 30 minutes");

            fixture.cron("g", "web-1", "synced"); // fresh by the test clock
            notifier.look();
            assertEquals(2, hook.requests().size());
            JsonNode resolved = hook.requests().get(1).json();
            assertEquals("resolved", resolved.get("state").asText());
            assertFalse(resolved.get("hosts").get(0).get("stale").asBoolean());
            assertFalse(resolved.get("hosts").get(0).get("deleted").asBoolean());
        }
    }

    @Test
    void theNotifiersOwnTimerFindsAStaleHost() throws Exception {
        rules("on: [stale]\n");
        fixture.pipeline("g", "web-1", "synced");
        fixture.cron("g", "web-1", "synced");
        try (Notifier notifier = fixture.notifier()) {
            notifier.start(); // looks every second on its own
            fixture.clock.advance(NotifyFixture.STALE_AFTER.plusSeconds(1));
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (hook.requests().isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
        }
        assertEquals(1, hook.requests().size());
        assertTrue(hook.requests().get(0).json().get("hosts").get(0).get("stale").asBoolean());
    }

    @Test
    void aDriftThatTurnsStaleStaysOpenUntilSyncedAndFresh() throws Exception {
        rules("on: [out_of_sync]\n");
        fixture.pipeline("g", "web-1", "synced");
        fixture.cron("g", "web-1", "out_of_sync");
        try (Notifier notifier = fixture.notifier()) {
            notifier.look();
            fixture.clock.advance(Duration.ofHours(1));
            fixture.pipeline("g", "web-1", "synced"); // synced, but its last drift check is an hour old
            notifier.look();
            assertEquals(1, hook.requests().size(), "synced but stale does not resolve");
            assertEquals("firing", notifier.view().open().get(0).state());
            fixture.cron("g", "web-1", "synced");
            notifier.look();
            assertEquals(2, hook.requests().size());
            assertEquals("resolved", hook.requests().get(1).json().get("state").asText());
        }
    }

    @Test
    void aDeletedHostOrOneThatNoLongerMatchesResolves() throws Exception {
        rules("on: [out_of_sync]\nfor: PT1M\n");
        for (String host : List.of("web-1", "web-2", "web-3")) {
            fixture.pipeline("g", host, "synced");
        }
        try (Notifier notifier = fixture.notifier()) {
            fixture.cron("g", "web-1", "out_of_sync");
            fixture.cron("g", "web-2", "out_of_sync");
            fixture.cron("g", "web-3", "out_of_sync");
            notifier.look();
            fixture.delete("g", "web-3"); // before it fired: nothing, ever
            notifier.look();
            fixture.clock.advance(Duration.ofMinutes(1));
            notifier.look();
            assertEquals(Set.of(Set.of("g/web-1"), Set.of("g/web-2")),
                    Set.of(hosts(hook.messages().get(0)), hosts(hook.messages().get(1))));
            assertEquals(2, hook.requests().size());

            fixture.delete("g", "web-1");
            notifier.look();
            assertEquals(3, hook.requests().size());
            JsonNode deleted = hook.messages().get(2);
            assertEquals("resolved", deleted.get("state").asText());
            assertEquals(Set.of("g/web-1"), hosts(deleted));
            assertTrue(deleted.get("hosts").get(0).get("deleted").asBoolean());
            assertEquals("out_of_sync", deleted.get("hosts").get(0).get("status").asText(), "its last known status");

            fixture.pipeline("g", "web-2", "out_of_sync", "environment", "staging");
            notifier.look();
            fixture.clock.advance(Duration.ofMinutes(5));
            notifier.look();
            assertEquals(4, hook.requests().size());
            JsonNode unmatched = hook.messages().get(3);
            assertEquals("resolved", unmatched.get("state").asText());
            assertEquals(Set.of("g/web-2"), hosts(unmatched));
            assertFalse(unmatched.get("hosts").get(0).get("deleted").asBoolean(), "still there, in staging now");
            assertEquals("prod", unmatched.get("hosts").get(0).get("environment").asText(),
                    "the environment it fired in, which names its Alertmanager alert");
            assertEquals(0, notifier.view().openCount());
        }
    }
}
