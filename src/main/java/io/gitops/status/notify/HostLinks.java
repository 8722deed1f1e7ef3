package io.gitops.status.notify;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** Links to a host on the status page ({@code /ui/}, the host's details open), under the rules file's {@code public_url}. */
final class HostLinks {

    private final String base;

    HostLinks(URI publicUrl) {
        this.base = publicUrl == null ? null : publicUrl.toString().replaceAll("/+$", "");
    }

    /** The link, or {@code null} without a public URL. */
    String of(String serverGroup, String host) {
        return base == null ? null
                : base + "/ui/#host=" + URLEncoder.encode(serverGroup + "/" + host, StandardCharsets.UTF_8)
                        .replace("+", "%20");
    }
}
