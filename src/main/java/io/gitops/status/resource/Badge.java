package io.gitops.status.resource;

import io.gitops.status.api.Condition;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A badge: a label on grey and a message on a colour, drawn as an SVG in the shields.io "flat"
 * style, or described in the shields.io endpoint schema for {@code img.shields.io/endpoint}.
 *
 * <p>The colours are darker than shields' own (its bright green carries white text at 2:1): each
 * gives white text a contrast of at least 4.5:1, WCAG AA for normal text, which a test computes.
 * The SVG names itself by {@code <title>} and {@code aria-label} ("gitops: 3 out of sync"), so a
 * screen reader reads what the colour shows; the message says the status in words besides.
 */
record Badge(String label, String message, String color, boolean isError) {

    static final String LABEL_GREY = "#555555";
    /** Unknown hosts, unknown names and an empty fleet: a grey a little lighter than the label's. */
    static final String GREY = "#666666";

    static final int HEIGHT = 20;
    /** Space left and right of each text, in pixels, as shields leaves it. */
    private static final int PADDING = 5;

    static Badge of(String label, String message, Condition condition) {
        return new Badge(label, message, color(condition), false);
    }

    /** A grey badge for an answer other than a status: an unknown host, a bad name. */
    static Badge error(String label, String message) {
        return new Badge(label, message, GREY, true);
    }

    static String color(Condition condition) {
        return switch (condition) {
            case SYNCED -> "#2e7d32";
            case UNKNOWN -> GREY;
            case STALE -> "#8a6100";
            case OUT_OF_SYNC -> "#c2410c";
            case FAILED -> "#b91c1c";
        };
    }

    /** The shields.io endpoint schema: {@code isError} only when true, as shields documents it. */
    Map<String, Object> shieldsJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("schemaVersion", 1);
        json.put("label", label);
        json.put("message", message);
        json.put("color", color.substring(1)); // shields takes hex colours without '#'
        if (isError) {
            json.put("isError", true);
        }
        return json;
    }

    byte[] svg() {
        double labelText = BadgeWidths.of(label);
        double messageText = BadgeWidths.of(message);
        int labelWidth = (int) Math.ceil(labelText) + 2 * PADDING;
        int messageWidth = (int) Math.ceil(messageText) + 2 * PADDING;
        int width = labelWidth + messageWidth;
        String title = escape(label + ": " + message);
        StringBuilder svg = new StringBuilder(1200);
        svg.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(width).append("\" height=\"")
                .append(HEIGHT).append("\" role=\"img\" aria-label=\"").append(title).append("\">")
                .append("<title>").append(title).append("</title>")
                .append("<linearGradient id=\"s\" x2=\"0\" y2=\"100%\"><stop offset=\"0\" stop-color=\"#bbb\"")
                .append(" stop-opacity=\".1\"/><stop offset=\"1\" stop-opacity=\".1\"/></linearGradient>")
                .append("<clipPath id=\"r\"><rect width=\"").append(width).append("\" height=\"").append(HEIGHT)
                .append("\" rx=\"3\" fill=\"#fff\"/></clipPath>")
                .append("<g clip-path=\"url(#r)\">")
                .append(rect(0, labelWidth, LABEL_GREY))
                .append(rect(labelWidth, messageWidth, color))
                .append("<rect width=\"").append(width).append("\" height=\"").append(HEIGHT)
                .append("\" fill=\"url(#s)\"/></g>")
                // Drawn at ten times the size and scaled down, as shields does: finer text positions.
                .append("<g fill=\"#fff\" text-anchor=\"middle\" font-family=\"Verdana,Geneva,DejaVu Sans,sans-serif\"")
                .append(" text-rendering=\"geometricPrecision\" font-size=\"110\">")
                .append(text(label, 0, labelWidth, labelText))
                .append(text(message, labelWidth, messageWidth, messageText))
                .append("</g></svg>");
        return svg.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String rect(int x, int width, String fill) {
        return "<rect x=\"" + x + "\" width=\"" + width + "\" height=\"" + HEIGHT + "\" fill=\"" + fill + "\"/>";
    }

    /** The text twice: a faint shadow one pixel below (hidden from screen readers), then the text. */
    private static String text(String content, int x, int width, double textWidth) {
        String centre = String.valueOf(x * 10 + width * 5);
        String length = String.format(Locale.ROOT, "%d", Math.round(textWidth * 10));
        String escaped = escape(content);
        return "<text aria-hidden=\"true\" x=\"" + centre + "\" y=\"150\" fill=\"#010101\" fill-opacity=\".3\""
                + " transform=\"scale(.1)\" textLength=\"" + length + "\">" + escaped + "</text>"
                + "<text x=\"" + centre + "\" y=\"140\" transform=\"scale(.1)\" fill=\"#fff\" textLength=\"" + length
                + "\">" + escaped + "</text>";
    }

    /** Text as XML character data or attribute value. */
    static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length() + 16);
        text.chars().forEach(c -> {
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&apos;");
                default -> out.append((char) c);
            }
        });
        return out.toString();
    }
}
