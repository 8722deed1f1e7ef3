package io.gitops.status.grafana;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Grafana's template interpolation for the forms the dashboard uses: {@code $name},
 * {@code ${name}} and {@code ${name:format}}, with the formats of Grafana's format registry
 * (glob, csv, raw, pipe, text). Infinity interpolates the URL, the URL parameters, the filter and
 * the computed columns with {@code glob} as the default format. An unknown variable or format
 * fails, so a typo in the dashboard fails the test instead of reaching the API as text.
 */
public final class Variables {

    private static final Pattern REFERENCE = Pattern.compile("\\$\\{([A-Za-z0-9_]+)(?::([A-Za-z]+))?}|\\$([A-Za-z0-9_]+)");

    /** A variable's current value: its values and texts; "All" is one value, the allValue. */
    public record Selection(List<String> values, List<String> texts) {

        public static Selection of(String value, String text) {
            return new Selection(List.of(value), List.of(text));
        }
    }

    private final Map<String, Selection> selections = new LinkedHashMap<>();

    public Variables set(String name, Selection selection) {
        selections.put(name, selection);
        return this;
    }

    public Variables copy() {
        Variables copy = new Variables();
        copy.selections.putAll(selections);
        return copy;
    }

    /** {@code text} with every variable replaced, {@code defaultFormat} where none is named. */
    public String interpolate(String text, String defaultFormat) {
        Matcher m = REFERENCE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1) != null ? m.group(1) : m.group(3);
            String format = m.group(2) != null ? m.group(2) : defaultFormat;
            Selection selection = selections.get(name);
            if (selection == null) {
                throw new AssertionError("variable " + name + " is not defined, in: " + text);
            }
            m.appendReplacement(out, Matcher.quoteReplacement(format(selection, format)));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static String format(Selection selection, String format) {
        List<String> values = selection.values();
        return switch (format) {
            case "glob" -> values.size() > 1 ? "{" + String.join(",", values) + "}" : values.get(0);
            case "csv", "raw" -> String.join(",", values);
            case "pipe" -> String.join("|", values);
            case "text" -> String.join(" + ", selection.texts());
            default -> throw new AssertionError("variable format not known to the test: " + format);
        };
    }
}
