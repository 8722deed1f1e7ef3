package io.gitops.status.auth;

import io.gitops.status.api.Glob;
import java.security.Principal;
import java.util.List;

/**
 * One line of the token file: the token's name, the SHA-256 of the token itself, and what it may
 * do. The token is never kept; only its hash is.
 */
public final class Token implements Principal {

    private final String name;
    private final byte[] sha256;
    private final boolean read;
    private final boolean badges;
    private final boolean admin;
    private final List<String> writeGlobs;

    Token(String name, byte[] sha256, boolean read, boolean badges, boolean admin, List<String> writeGlobs) {
        this.name = name;
        this.sha256 = sha256.clone();
        this.read = read;
        this.badges = badges;
        this.admin = admin;
        this.writeGlobs = List.copyOf(writeGlobs);
    }

    @Override
    public String getName() {
        return name;
    }

    byte[] sha256() {
        return sha256;
    }

    public boolean mayRead() {
        return read;
    }

    /** Whether it may fetch badges: the {@code read} scope, or {@code badge}, which allows nothing else. */
    public boolean mayReadBadges() {
        return read || badges;
    }

    /**
     * Whether the {@code admin} scope lets it use the admin endpoints ({@code GET /admin/export}).
     * It is a scope of its own, implied by no other and implying none: an export holds every
     * record of every group, more than any {@code read} or {@code write:*} token should hand out.
     */
    public boolean mayAdminister() {
        return admin;
    }

    /**
     * Whether badges are all it may read or change: the only kind of token allowed in a URL, where
     * it leaks into logs, browser history and the source of any page that embeds it.
     */
    public boolean badgesOnly() {
        return badges && !read && !admin && writeGlobs.isEmpty();
    }

    /** Whether a {@code write:GLOB} scope covers the server group. */
    public boolean mayWrite(String serverGroup) {
        return writeGlobs.stream().anyMatch(glob -> Glob.matches(glob, serverGroup));
    }

    /** Whether a scope covers every server group there could be ({@code write:*}). */
    public boolean mayWriteEveryGroup() {
        return writeGlobs.stream().anyMatch(glob -> glob.chars().allMatch(c -> c == '*'));
    }

    @Override
    public String toString() {
        return "token " + name; // never the hash: a log must not help anyone guess the token
    }
}
