package io.gitops.status.notify;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

/**
 * One receiver of the rules file: exactly one of a webhook (JSON body, signed with HMAC-SHA256
 * when a secret file is given), an Alertmanager (its v2 API) or a Slack-compatible incoming
 * webhook.
 */
record ReceiverSpec(
        @JsonProperty("name") String name,
        @JsonProperty("webhook") Webhook webhook,
        @JsonProperty("alertmanager") Alertmanager alertmanager,
        @JsonProperty("slack") Slack slack) {

    /** What Jackson cannot check, once the whole receiver is read (so that an unknown key is told first). */
    void check() {
        if (name == null) {
            throw new RuleSet.Mistake("a receiver needs a name");
        }
        if (name.isBlank()) {
            throw new RuleSet.Mistake("a name must be a non-empty string", "name");
        }
        int kinds = (webhook == null ? 0 : 1) + (alertmanager == null ? 0 : 1) + (slack == null ? 0 : 1);
        if (kinds != 1) {
            throw new RuleSet.Mistake("receiver " + name + ": give exactly one of webhook, alertmanager, slack"
                    + (kinds == 0 ? "" : ", not " + kinds));
        }
        if (webhook != null) {
            requireHttp(webhook.url(), "webhook", "url");
        } else if (alertmanager != null) {
            requireHttp(alertmanager.url(), "alertmanager", "url");
        } else {
            requireHttp(slack.url(), "slack", "url");
        }
    }

    String id() {
        return name;
    }

    /** {@code webhook}, {@code alertmanager} or {@code slack}. */
    String kind() {
        return webhook != null ? "webhook" : alertmanager != null ? "alertmanager" : "slack";
    }

    /** @param secretFile a file whose first line is the HMAC key; none: the body is not signed */
    record Webhook(@JsonProperty("url") URI url,
            @JsonProperty("secret_file") Path secretFile) {

        /** The secret file, a path relative to the rules file's folder. */
        Path secretPath(Path rulesFile) {
            return rulesFile.toAbsolutePath().resolveSibling(secretFile);
        }
    }

    /**
     * @param url Alertmanager's base URL; alerts go to {@code <url>/api/v2/alerts}
     * @param resend how often open alerts are sent again, so that Alertmanager (which resolves an
     *     alert not heard of for its {@code resolve_timeout}, 5 minutes by default) keeps them firing
     */
    record Alertmanager(@JsonProperty("url") URI url,
            @JsonProperty("resend") @JsonDeserialize(using = IsoDuration.class) Duration resend) {
        static final Duration DEFAULT_RESEND = Duration.ofMinutes(1);

        Alertmanager {
            resend = resend == null ? DEFAULT_RESEND : resend;
        }
    }

    record Slack(@JsonProperty("url") URI url) {
    }

    /** An http:// or https:// URL with a host, at {@code at}. */
    static void requireHttp(URI url, Object... at) {
        if (url == null || url.getHost() == null
                || !("http".equalsIgnoreCase(url.getScheme()) || "https".equalsIgnoreCase(url.getScheme()))) {
            throw new RuleSet.Mistake(url == null ? "missing: give an http:// or https:// URL"
                    : "expected an http:// or https:// URL with a host, was " + url, at);
        }
        if (url.getPort() > 65535) {
            throw new RuleSet.Mistake("port " + url.getPort() + " is out of range (1 to 65535)", at);
        }
    }
}
