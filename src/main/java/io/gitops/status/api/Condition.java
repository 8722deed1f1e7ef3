package io.gitops.status.api;

import java.util.Locale;

/**
 * The one worst-status rule: what a host's state amounts to, and which of two is worse. The
 * constants are declared from best to worst, so {@link #worse} compares their order.
 *
 * <p>A stale host counts as {@link #STALE} unless its last known status is {@code failed} or
 * {@code out_of_sync}: a drift or a failure never seen fixed is still the latest evidence and
 * must not be softened to "stale", while "synced" or "unknown" is a claim the stopped checks no
 * longer back. A status outside the contract's (an old data file) counts as unknown, as in the
 * summary.
 */
public enum Condition {
    SYNCED,
    UNKNOWN,
    STALE,
    OUT_OF_SYNC,
    FAILED;

    /** The condition of a host whose stored status is {@code status}. */
    public static Condition of(String status, boolean stale) {
        Condition reported = switch (status == null ? "" : status) {
            case "synced" -> SYNCED;
            case "out_of_sync" -> OUT_OF_SYNC;
            case "failed" -> FAILED;
            default -> UNKNOWN;
        };
        return stale ? worse(reported, STALE) : reported;
    }

    public static Condition worse(Condition a, Condition b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    /** In words, as people read it: {@code "out of sync"}. */
    public String text() {
        return name().toLowerCase(Locale.ROOT).replace('_', ' ');
    }
}
