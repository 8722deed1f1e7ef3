package io.gitops.status.api;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Records' labels, sorted by key and immutable, one instance per distinct set: a fleet's hosts
 * carry few distinct label sets (a rack, a team), and a map per host would cost a hundred bytes
 * or more each. At most {@value #MAX_SHARED} sets are shared; beyond that each record keeps its
 * own copy, so that no input can grow the table without bound.
 */
final class SharedLabels {

    static final int MAX_SHARED = 4096;
    private static final Map<Map<String, String>, Map<String, String>> SHARED = new ConcurrentHashMap<>();

    private SharedLabels() {
    }

    static Map<String, String> of(Map<String, String> labels) {
        if (labels == null || labels.isEmpty()) {
            return Map.of();
        }
        Map<String, String> shared = SHARED.get(labels);
        if (shared != null) {
            return shared;
        }
        Map<String, String> sorted = Collections.unmodifiableMap(new TreeMap<>(labels));
        if (SHARED.size() >= MAX_SHARED) {
            return sorted;
        }
        shared = SHARED.putIfAbsent(sorted, sorted);
        return shared == null ? sorted : shared;
    }
}
