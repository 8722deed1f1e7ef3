package io.gitops.status.auth;

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
    private final List<String> writeGlobs;

    Token(String name, byte[] sha256, boolean read, List<String> writeGlobs) {
        this.name = name;
        this.sha256 = sha256.clone();
        this.read = read;
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

    /** Whether a {@code write:GLOB} scope covers the server group. */
    public boolean mayWrite(String serverGroup) {
        return writeGlobs.stream().anyMatch(glob -> matches(glob, 0, serverGroup, 0));
    }

    /** {@code *} matches any run of characters, including none; every other character itself. */
    static boolean matches(String glob, int g, String text, int t) {
        while (g < glob.length()) {
            char c = glob.charAt(g);
            if (c == '*') {
                while (g < glob.length() && glob.charAt(g) == '*') {
                    g++; // a run of stars is one star
                }
                if (g == glob.length()) {
                    return true;
                }
                for (int start = t; start <= text.length(); start++) {
                    if (matches(glob, g, text, start)) {
                        return true;
                    }
                }
                return false;
            }
            if (t == text.length() || text.charAt(t) != c) {
                return false;
            }
            g++;
            t++;
        }
        return t == text.length();
    }

    @Override
    public String toString() {
        return "token " + name; // never the hash: a log must not help anyone guess the token
    }
}
