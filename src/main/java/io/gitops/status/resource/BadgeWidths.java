package io.gitops.status.resource;

/**
 * Estimates how wide a text is drawn in Verdana 11px, the font of the shields.io badges, so that
 * a badge is as wide as its text needs. The table holds each printable ASCII character's advance
 * width in Verdana's font units (2048 per em); any other character counts as a full em, wider than
 * nearly every glyph, so an estimate errs on the wide side. The SVG also sets {@code textLength}
 * to the estimate: a viewer without Verdana (DejaVu Sans is wider) squeezes the text into the box
 * instead of letting it run over the edge.
 */
final class BadgeWidths {

    private static final double FONT_SIZE_PX = 11;
    private static final int UNITS_PER_EM = 2048;
    private static final int FIRST = ' ';
    /** Advance widths of ' ' to '~', in font units. */
    private static final int[] ADVANCE = {
        720, 809, 944, 1676, 1302, 2222, 1490, 550, 909, 909, 1302, 1676, 745, 909, 745, 1302, // ' ' to '/'
        1302, 1302, 1302, 1302, 1302, 1302, 1302, 1302, 1302, 1302, // '0' to '9'
        909, 909, 1676, 1676, 1676, 1117, 2048, // ':' to '@'
        1401, 1405, 1430, 1577, 1294, 1178, 1587, 1540, 862, 1005, 1423, 1151, 1753, // 'A' to 'M'
        1532, 1620, 1239, 1620, 1430, 1401, 1243, 1505, 1401, 2025, 1403, 1243, 1403, // 'N' to 'Z'
        909, 1302, 909, 1676, 1302, 1302, // '[' to '`'
        1229, 1276, 1067, 1276, 1220, 720, 1276, 1296, 562, 677, 1194, 562, 1993, // 'a' to 'm'
        1296, 1243, 1276, 1276, 874, 1067, 807, 1296, 1194, 1667, 1194, 1194, 1067, // 'n' to 'z'
        1300, 909, 1300, 1676, // '{' to '~'
    };

    private BadgeWidths() {
    }

    /** The width of {@code text} in pixels, rounded up to a tenth. */
    static double of(String text) {
        long units = text.codePoints().mapToLong(BadgeWidths::advance).sum();
        return Math.ceil(units * FONT_SIZE_PX * 10 / UNITS_PER_EM) / 10;
    }

    private static int advance(int codePoint) {
        int index = codePoint - FIRST;
        return index >= 0 && index < ADVANCE.length ? ADVANCE[index] : UNITS_PER_EM;
    }
}
