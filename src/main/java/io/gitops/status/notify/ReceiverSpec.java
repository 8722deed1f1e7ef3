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
        @JsonProperty(value = "name", required = true) Located name,
        @JsonProperty("webhook") Webhook webhook,
        @JsonProperty("alertmanager") Alertmanager alertmanager,
        @JsonProperty("slack") Slack slack) {

    ReceiverSpec {
        int kinds = (webhook == null ? 0 : 1) + (alertmanager == null ? 0 : 1) + (slack == null ? 0 : 1);
        if (kinds != 1) {
            throw new IllegalArgumentException("receiver " + name + ": give exactly one of webhook, alertmanager, slack");
        }
    }

    String id() {
        return name.value();
    }

    /** @param secretFile a file whose first line is the HMAC key; none: the body is not signed */
    record Webhook(@JsonProperty(value = "url", required = true) URI url,
            @JsonProperty("secret_file") Path secretFile) {
        Webhook {
            requireHttp(url);
        }
    }

    /**
     * @param url Alertmanager's base URL; alerts go to {@code <url>/api/v2/alerts}
     * @param resend how often open alerts are sent again, so that Alertmanager (which resolves an
     *     alert not heard of for its {@code resolve_timeout}, 5 minutes by default) keeps them firing
     */
    record Alertmanager(@JsonProperty(value = "url", required = true) URI url,
            @JsonProperty("resend") @JsonDeserialize(using = IsoDuration.class) Duration resend) {
        static final Duration DEFAULT_RESEND = Duration.ofMinutes(1);

        Alertmanager {
            requireHttp(url);
            resend = resend == null ? DEFAULT_RESEND : resend;
        }
    }

    record Slack(@JsonProperty(value = "url", required = true) URI url) {
        Slack {
            requireHttp(url);
        }
    }

    private static void requireHttp(URI url) {
        if (url == null || url.getHost() == null
                || !("http".equalsIgnoreCase(url.getScheme()) || "https".equalsIgnoreCase(url.getScheme()))) {
            throw new IllegalArgumentException("url: an http:// or https:// URL with a host is needed, was " + url);
        }
    }
}
