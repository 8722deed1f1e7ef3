package io.gitops.status.resource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gitops.status.api.Enumerations;
import io.gitops.status.api.RecordFields;
import io.gitops.status.api.Refusal;
import io.gitops.status.api.Staleness;
import io.gitops.status.api.StatusRecord;
import jakarta.ws.rs.core.MultivaluedHashMap;
import jakarta.ws.rs.core.MultivaluedMap;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The query filters of {@code GET /status}: exact matches, repeats of one name are OR, different
 * names are AND; {@code stale} takes {@code true} or {@code false}. Parameters starting with
 * {@code _} are ignored (cache busting); any other unknown name is refused. A filter takes at most
 * {@value #MAX_VALUES} values, matched through a set, so that one request cannot make every host
 * cost a long scan.
 */
final class RecordFilter {

    private static final Map<String, Function<StatusRecord, String>> FIELDS = RecordFields.FILTERABLE;
    private static final Set<String> FOLDED = RecordFields.FOLDED;

    /** Values one filter may take (repeats of a query parameter, or an array in a JSON body). */
    static final int MAX_VALUES = 1000;
    private static final String STALE = "stale";
    private static final List<String> NAMES = Stream.concat(FIELDS.keySet().stream(),
            Stream.of(STALE)).toList();

    private RecordFilter() {
    }

    /**
     * Filters given as a JSON object (name to a value or an array of values), as the query
     * parameters would give them. At least one is required: an empty object would select
     * everything.
     */
    static MultivaluedMap<String, String> fromJson(ObjectNode body) {
        MultivaluedMap<String, String> filters = new MultivaluedHashMap<>();
        for (Map.Entry<String, JsonNode> entry : body.properties()) {
            JsonNode value = entry.getValue();
            requireFewValues(entry.getKey(), value.isArray() ? value.size() : 1);
            for (JsonNode one : value.isArray() ? value : List.of(value)) {
                if (one.isBoolean() && entry.getKey().equals(STALE)) {
                    filters.add(STALE, one.asText());
                } else if (one.isTextual()) {
                    filters.add(entry.getKey(), one.textValue());
                } else {
                    throw Refusal.validation(entry.getKey(),
                            entry.getKey() + " must be a string or an array of strings");
                }
            }
        }
        if (selectsAll(filters)) { // names starting with _ are ignored: they would select everything
            throw Refusal.validation(null, "give at least one filter, e.g. {\"server_group\": \"lab\"}");
        }
        return filters;
    }

    /** Whether the query filters nothing out (no parameters, or only ignored ones). */
    static boolean selectsAll(MultivaluedMap<String, String> query) {
        return query.keySet().stream().allMatch(name -> name.startsWith("_"));
    }

    /** Whether the filters select by staleness, so that what they select changes with the clock. */
    static boolean usesClock(MultivaluedMap<String, String> query) {
        return query.containsKey(STALE);
    }

    /** The filter of {@code query}, judging staleness at {@code now}. */
    static Predicate<StatusRecord> from(MultivaluedMap<String, String> query, Staleness staleness, Instant now) {
        Predicate<StatusRecord> filter = record -> true;
        for (Map.Entry<String, List<String>> parameter : query.entrySet()) {
            String name = parameter.getKey();
            if (name.startsWith("_")) {
                continue;
            }
            requireFewValues(name, parameter.getValue().size());
            if (name.equals(STALE)) {
                Set<Boolean> wanted = parameter.getValue().stream().map(RecordFilter::bool).collect(Collectors.toSet());
                filter = filter.and(record -> wanted.contains(staleness.isStale(record, now)));
                continue;
            }
            Function<StatusRecord, String> field = FIELDS.get(name);
            if (field == null) {
                throw Refusal.unknownParameter(name, "unknown query parameter " + name
                        + "; filters are " + String.join(", ", NAMES));
            }
            Set<String> wanted = FOLDED.contains(name)
                    ? parameter.getValue().stream().map(Enumerations::fold).collect(Collectors.toSet())
                    : new HashSet<>(parameter.getValue());
            filter = filter.and(record -> wanted.contains(field.apply(record)));
        }
        return filter;
    }

    private static void requireFewValues(String name, int values) {
        if (values > MAX_VALUES && !name.startsWith("_")) {
            throw Refusal.validation(name, name + " takes at most " + MAX_VALUES + " values, got " + values);
        }
    }

    private static boolean bool(String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw Refusal.validation(STALE, "stale must be true or false");
        };
    }
}
