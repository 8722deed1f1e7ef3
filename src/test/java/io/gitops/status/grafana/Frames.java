package io.gitops.status.grafana;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The small part of Infinity's backend post-processing the dashboard uses, evaluated the way
 * govaluate does: computed columns that join quoted strings and fields with {@code +} (a string
 * beside a null gives {@code <nil>}, as Go's {@code %v}), then a filter {@code field == 'x'},
 * {@code field != 'x'} or {@code field != nil}. Anything else fails: the test must not pass a
 * dashboard whose expressions it cannot check.
 */
final class Frames {

    private static final Pattern TERM = Pattern.compile("\\s*(?:'([^']*)'|([A-Za-z_][A-Za-z0-9_]*))\\s*");
    private static final Pattern FILTER = Pattern.compile("\\s*([A-Za-z_][A-Za-z0-9_]*)\\s*(==|!=)\\s*(?:'([^']*)'|(nil))\\s*");

    private Frames() {
    }

    /** The fields a computed column's expression or a filter names. */
    static List<String> fieldsOf(String expression) {
        List<String> fields = new ArrayList<>();
        Matcher m = Pattern.compile("'[^']*'|\\bnil\\b|([A-Za-z_][A-Za-z0-9_]*)").matcher(expression);
        while (m.find()) {
            if (m.group(1) != null) {
                fields.add(m.group(1));
            }
        }
        return fields;
    }

    /** Adds the column {@code alias} computed by {@code expression} to every row. */
    static void compute(List<Map<String, Object>> rows, String expression, String alias) {
        String[] terms = expression.split("\\+");
        for (Map<String, Object> row : rows) {
            List<Object> values = new ArrayList<>();
            for (String term : terms) {
                Matcher m = TERM.matcher(term);
                if (!m.matches()) {
                    throw new AssertionError("computed column the test cannot evaluate: " + expression);
                }
                values.add(m.group(1) != null ? m.group(1) : field(row, m.group(2)));
            }
            if (values.size() == 1) {
                row.put(alias, values.get(0));
            } else {
                StringBuilder joined = new StringBuilder();
                values.forEach(v -> joined.append(Objects.toString(v, "<nil>")));
                row.put(alias, joined.toString());
            }
        }
    }

    /** The rows that pass {@code expression}; all of them when it is blank. */
    static List<Map<String, Object>> filter(List<Map<String, Object>> rows, String expression) {
        if (expression == null || expression.isBlank()) {
            return rows;
        }
        Matcher m = FILTER.matcher(expression);
        if (!m.matches()) {
            throw new AssertionError("filter the test cannot evaluate: " + expression);
        }
        boolean equal = m.group(2).equals("==");
        String wanted = m.group(3);
        List<Map<String, Object>> kept = new ArrayList<>();
        for (Map<String, Object> row : rows) {
            if (Objects.equals(field(row, m.group(1)), wanted) == equal) {
                kept.add(row);
            }
        }
        return kept;
    }

    /** Copies rows so that computing columns does not change the caller's. */
    static List<Map<String, Object>> copy(List<Map<String, Object>> rows) {
        List<Map<String, Object>> copy = new ArrayList<>();
        rows.forEach(row -> copy.add(new LinkedHashMap<>(row)));
        return copy;
    }

    private static Object field(Map<String, Object> row, String name) {
        if (!row.containsKey(name)) {
            throw new AssertionError("expression names " + name + ", which the frame does not have: " + row.keySet());
        }
        return row.get(name);
    }
}
