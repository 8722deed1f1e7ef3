package io.gitops.status.notify;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.gitops.status.json.Json;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Prometheus Alertmanager's v2 API ({@code POST /api/v2/alerts}): one alert per host, named by
 * the labels {@code alertname} (the rule), {@code server_group}, {@code host} and, when known,
 * {@code environment}, so that Alertmanager groups, silences and inhibits on them; what changes
 * (status, files, commit, message) goes in annotations. A firing alert has no {@code endsAt}
 * (Alertmanager ends it after its {@code resolve_timeout} unless sent again: the notifier re-sends
 * open alerts every {@code resend}); a resolved one ends when the message was made.
 */
final class AlertmanagerChannel extends Channel {

    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final int MAX_ANNOTATION_CHARS = 4096;

    private final URI alerts;

    AlertmanagerChannel(Duration timeout, URI url) {
        super(timeout);
        this.alerts = URI.create(url.toString().replaceAll("/+$", "") + "/api/v2/alerts");
    }

    @Override
    void send(Message message) throws DeliveryException {
        post(alerts, body(message));
    }

    static byte[] body(Message message) {
        List<Map<String, Object>> alerts = new ArrayList<>();
        for (HostEntry host : message.hosts()) {
            Map<String, Object> alert = new LinkedHashMap<>();
            alert.put("labels", labels(message.rule(), host));
            alert.put("annotations", annotations(host));
            alert.put("startsAt", host.since());
            if (!message.firing()) {
                alert.put("endsAt", message.createdAt());
            }
            if (host.url() != null) {
                alert.put("generatorURL", host.url());
            }
            alerts.add(alert);
        }
        try {
            return Json.mapper().writeValueAsBytes(alerts);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Map<String, String> labels(String rule, HostEntry host) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("alertname", rule);
        labels.put("server_group", host.serverGroup());
        labels.put("host", host.host());
        if (host.environment() != null && !host.environment().isEmpty()) {
            labels.put("environment", host.environment());
        }
        return labels;
    }

    private static Map<String, String> annotations(HostEntry host) {
        Map<String, String> annotations = new LinkedHashMap<>();
        String status = host.deleted() ? "deleted" : host.status();
        annotations.put("summary", host.serverGroup() + "/" + host.host() + " is " + status
                + (host.stale() ? " and stale" : ""));
        put(annotations, "status", status);
        put(annotations, "previous_status", host.previousStatus());
        put(annotations, "since", host.since());
        annotations.put("stale", String.valueOf(host.stale()));
        annotations.put("changed_files_count", String.valueOf(host.changedFilesCount()));
        if (!host.changedFiles().isEmpty()) {
            put(annotations, "changed_files", String.join("\n", host.changedFiles()));
        }
        put(annotations, "commit_sha", host.commitSha());
        put(annotations, "validation_message", host.validationMessage());
        put(annotations, "url", host.url());
        host.labels().forEach((name, value) -> {
            if (LABEL_NAME.matcher(name).matches() && !annotations.containsKey(name)) {
                put(annotations, name, value);
            }
        });
        return annotations;
    }

    private static void put(Map<String, String> annotations, String name, String value) {
        if (value != null && !value.isEmpty()) {
            int keep = Math.min(value.length(), MAX_ANNOTATION_CHARS);
            if (keep < value.length() && Character.isHighSurrogate(value.charAt(keep - 1))) {
                keep--; // never split a character in two
            }
            annotations.put(name, keep < value.length() ? value.substring(0, keep) + "…" : value);
        }
    }
}
