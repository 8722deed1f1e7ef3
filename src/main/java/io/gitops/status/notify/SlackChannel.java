package io.gitops.status.notify;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.gitops.status.json.Json;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.util.Map;

/**
 * A Slack-compatible incoming webhook (Mattermost and Rocket.Chat take the same body): the
 * message as {@code text} in Slack's markup, one line per host.
 */
final class SlackChannel extends Channel {

    /** Hosts listed in one message; a digest of more says how many more. */
    static final int MAX_LINES = 50;

    private final URI url;

    SlackChannel(Duration timeout, URI url) {
        super(timeout);
        this.url = url;
    }

    @Override
    void send(Message message) throws DeliveryException {
        post(url, body(message));
    }

    static byte[] body(Message message) {
        try {
            return Json.mapper().writeValueAsBytes(Map.of("text", text(message)));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String text(Message message) {
        String head = message.firing() ? (message.reminder() ? "Still firing" : "Firing") : "Resolved";
        StringBuilder text = new StringBuilder();
        text.append(message.firing() ? ":red_circle: " : ":large_green_circle: ").append('*').append(head)
                .append(": ").append(escape(message.rule())).append("* (").append(message.hosts().size())
                .append(message.hosts().size() == 1 ? " host)" : " hosts)");
        int lines = 0;
        for (HostEntry host : message.hosts()) {
            if (lines++ == MAX_LINES) {
                text.append("\n… and ").append(message.hosts().size() - MAX_LINES).append(" more");
                break;
            }
            String name = escape(host.serverGroup() + "/" + host.host());
            text.append("\n• ").append(host.url() == null ? name : "<" + host.url() + "|" + name + ">")
                    .append(": ").append(host.deleted() ? "deleted" : escape(String.valueOf(host.status())))
                    .append(host.stale() ? ", stale" : "");
            if (message.firing() && host.previousStatus() != null) {
                text.append(" (was ").append(escape(host.previousStatus())).append(')');
            }
            text.append(" since ").append(host.since());
            if (host.changedFilesCount() > 0) {
                text.append(", ").append(host.changedFilesCount()).append(" changed file")
                        .append(host.changedFilesCount() == 1 ? "" : "s");
            }
        }
        return text.toString();
    }

    /** Slack's three control characters. */
    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
