package io.gitops.status.api;

/** The one glob rule, of token scopes and notification rules. */
public final class Glob {

    private Glob() {
    }

    /**
     * {@code *} matches any run of characters, including none; every other character itself.
     * Only the last star seen is ever backtracked to, so the time is at most the product of the
     * lengths, whatever the pattern.
     */
    public static boolean matches(String glob, String text) {
        int g = 0;
        int t = 0;
        int star = -1; // position in glob after the last star
        int resume = 0; // position in text where that star's match would grow
        while (t < text.length()) {
            if (g < glob.length() && glob.charAt(g) == '*') {
                star = ++g;
                resume = t;
            } else if (g < glob.length() && glob.charAt(g) == text.charAt(t)) {
                g++;
                t++;
            } else if (star >= 0) {
                g = star;
                t = ++resume;
            } else {
                return false;
            }
        }
        while (g < glob.length() && glob.charAt(g) == '*') {
            g++;
        }
        return g == glob.length();
    }
}
