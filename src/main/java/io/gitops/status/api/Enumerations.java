package io.gitops.status.api;

import java.util.Locale;

/**
 * The one case rule of the contract's enumerations ({@code status}, {@code validation_status}):
 * input matches without regard to case and is stored in lower case, and filters on them are
 * folded the same way, so a filter written like the input it matches always finds it.
 */
public final class Enumerations {

    private Enumerations() {
    }

    /** The stored form of an enumeration value; {@code null} stays {@code null}. */
    public static String fold(String value) {
        return value == null ? null : value.toLowerCase(Locale.ROOT);
    }
}
