package io.gitops.status.notify;

import static io.gitops.status.notify.NotifyFixture.hosts;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** Which hosts a rule watches: globs per field, a list of globs, every field, status without regard to case. */
class MatchTest extends NotifierTestCase {

    /** The rule and host of each message received, as {@code rule host,host}. */
    private Set<String> received() {
        Set<String> received = new TreeSet<>();
        for (JsonNode message : hook.messages()) {
            received.add(message.get("rule").asText() + " " + String.join(",", hosts(message)));
        }
        return received;
    }

    private void drift(String group, String host, String status, String... extra) {
        fixture.pipeline(group, host, "synced", extra);
        fixture.cron(group, host, status);
    }

    @Test
    void onlyTheHostsARuleMatchesAreNotified() throws Exception {
        fixture.rules("""
                receivers:
                  - name: ops
                    webhook: {url: "%s"}
                rules:
                  - name: rsyslog
                    match: {server_group: "rsyslog-*"}
                    on: [Out_Of_Sync]
                    receivers: [ops]
                  - name: edge
                    match:
                      server_group: [nginx-edge, "haproxy-*"]
                      host: "lb-*"
                      status: [FAILED]
                    on: [FAILED, out_of_sync]
                    receivers: [ops]
                  - name: prod-web
                    match: {environment: prod, server_type: web, project_name: "shop*"}
                    on: [unknown]
                    receivers: [ops]
                """.formatted(hook.url()));
        drift("rsyslog-prod", "a", "out_of_sync"); // rsyslog: on folded
        drift("rsyslog-prod", "b", "failed"); // not on
        drift("syslog-rsyslog", "c", "out_of_sync"); // the glob is anchored
        drift("nginx-edge", "lb-1", "failed"); // edge: first glob of the list
        drift("haproxy-eu", "lb-9", "failed"); // edge: second glob
        drift("nginx-edge", "lb-2", "out_of_sync"); // on, but status does not match
        drift("nginx-edge", "web-1", "failed"); // host does not match
        drift("nginx-edge-2", "lb-1", "failed"); // a list entry without star is exact
        drift("shop", "w1", "unknown", "server_type", "web", "project_name", "shop-eu"); // prod-web
        drift("shop", "w2", "unknown", "server_type", "db", "project_name", "shop-eu"); // another server type
        drift("shop", "w3", "unknown", "server_type", "web", "project_name", "shop-eu",
                "environment", "staging"); // another environment
        drift("shop", "w4", "unknown", "server_type", "web"); // no project_name: no match
        try (Notifier notifier = fixture.notifier()) {
            notifier.look();
            fixture.clock.advance(Duration.ofHours(1));
            notifier.look();
        }
        assertEquals(Set.of("rsyslog rsyslog-prod/a", "edge nginx-edge/lb-1", "edge haproxy-eu/lb-9",
                "prod-web shop/w1"), received());
        assertEquals(4, hook.requests().size());
    }

    @Test
    void aStatusMatchWrittenInAnyCaseMatchesTheStoredStatus() throws Exception {
        fixture.rules("""
                receivers:
                  - name: ops
                    webhook: {url: "%s"}
                rules:
                  - name: broken
                    match: {status: ["Fail*", "UNKNOWN"], validation_status: [FAILED]}
                    on: [failed, unknown, out_of_sync]
                    receivers: [ops]
                """.formatted(hook.url()));
        drift("g", "a", "FAILED", "validation_status", "failed");
        drift("g", "b", "Unknown", "validation_status", "Failed");
        drift("g", "c", "failed", "validation_status", "passed"); // validation does not match
        drift("g", "d", "out_of_sync", "validation_status", "failed"); // status does not match
        try (Notifier notifier = fixture.notifier()) {
            notifier.look();
        }
        assertEquals(Set.of("broken g/a", "broken g/b"), received());
    }
}
