package io.gitops.status.store;

import java.util.Comparator;

/** List order on store keys ({@code "<server_group>/<host>"}): by server group, then host. */
public final class KeyOrder {

    /**
     * Neither a server group nor a host contains {@code /}, so comparing keys with {@code /} below
     * every other character orders them as the pairs.
     */
    public static final Comparator<String> KEYS = (a, b) -> {
        int n = Math.min(a.length(), b.length());
        for (int i = 0; i < n; i++) {
            char ca = a.charAt(i);
            char cb = b.charAt(i);
            if (ca != cb) {
                return (ca == '/' ? -1 : ca) - (cb == '/' ? -1 : cb);
            }
        }
        return a.length() - b.length();
    };

    private KeyOrder() {
    }
}
