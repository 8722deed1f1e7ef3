package io.gitops.status.resource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gitops.status.api.Condition;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The badge's drawing on its own: colour contrast, text widths, escaping. */
class BadgeDrawingTest {

    /** WCAG 2.1 contrast of white text on {@code hex} ({@code #rrggbb}). */
    static double contrastWithWhite(String hex) {
        double luminance = 0.2126 * channel(hex, 1) + 0.7152 * channel(hex, 3) + 0.0722 * channel(hex, 5);
        return 1.05 / (luminance + 0.05);
    }

    private static double channel(String hex, int at) {
        double c = Integer.parseInt(hex.substring(at, at + 2), 16) / 255.0;
        return c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    }

    @Test
    void whiteTextOnEveryColourMeetsWcagAa() {
        List<String> colours = new ArrayList<>(List.of(Badge.LABEL_GREY, Badge.GREY));
        for (Condition condition : Condition.values()) {
            colours.add(Badge.color(condition));
        }
        for (String colour : colours) {
            assertTrue(contrastWithWhite(colour) >= 4.5, colour + ": " + contrastWithWhite(colour));
        }
        // The check itself: shields' bright green fails, black on white is 21:1.
        assertTrue(contrastWithWhite("#44cc11") < 4.5);
        assertEquals(21.0, 1.05 / (0.0 + 0.05), 1e-9);
        assertEquals(1.0, contrastWithWhite("#ffffff"), 1e-9);
    }

    @Test
    void everyConditionHasItsOwnColour() {
        List<String> colours = new ArrayList<>();
        for (Condition condition : Condition.values()) {
            colours.add(Badge.color(condition));
        }
        assertEquals(colours.size(), colours.stream().distinct().count(), colours.toString());
    }

    @Test
    void widthsFollowVerdanaAndErrWide() {
        assertEquals(26.8, BadgeWidths.of("build"), 0.05); // shields draws "build" 27 pixels wide
        assertTrue(BadgeWidths.of("mmm") > BadgeWidths.of("iii") * 3);
        assertEquals(11.0, BadgeWidths.of("服"), 1e-9); // outside the table: a full em
        assertEquals(11.0, BadgeWidths.of("\uD83D\uDE80"), 1e-9); // one code point, two chars
        assertEquals(0.0, BadgeWidths.of(""), 1e-9);
    }

    @Test
    void textIsEscapedForXml() {
        assertEquals("&lt;a&gt; &amp; &quot;b&quot; &apos;c&apos;", Badge.escape("<a> & \"b\" 'c'"));
        String svg = new String(Badge.of("a&b", "1 failed", Condition.FAILED).svg(), StandardCharsets.UTF_8);
        BadgeSvg.parse(svg).assertShows("a&b", "1 failed", Badge.color(Condition.FAILED));
    }
}
