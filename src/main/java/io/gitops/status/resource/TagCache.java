package io.gitops.status.resource;

import io.gitops.status.api.StatusRecord;
import java.lang.ref.WeakReference;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The tags of answers made lately, so that a revalidation needs no answer: a bounded LRU from an
 * answer's key (its view and canonical query) to its tag, valid while the store returns the same
 * list ({@link io.gitops.status.store.StatusStore#all()} is the same object while nothing changed)
 * and, for answers that depend on the clock, until the next host turns stale.
 *
 * <p>Entries hold the list weakly: a remembered tag never keeps an old snapshot of the store
 * alive. Each entry is a few hundred bytes (keys are hashed), so the cache is small however long
 * the queries.
 */
final class TagCache {

    /** An answer's tag: SHA-256 prefix of its JSON, its length, and a page's continuation. */
    record Tag(String hash, long length, String next) {
    }

    private record Entry(WeakReference<List<StatusRecord>> list, Instant validUntil, Tag tag) {
    }

    private final Map<String, Entry> entries;

    TagCache(int capacity) {
        this.entries = new LinkedHashMap<>(capacity * 2, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
                return size() > capacity;
            }
        };
    }

    /** The tag remembered for {@code key} over {@code list} and still valid at {@code now}, else null. */
    synchronized Tag find(String key, List<StatusRecord> list, Instant now) {
        Entry entry = entries.get(key);
        if (entry == null || entry.list().get() != list || now.isAfter(entry.validUntil())) {
            return null;
        }
        return entry.tag();
    }

    synchronized void put(String key, List<StatusRecord> list, Instant validUntil, Tag tag) {
        entries.put(key, new Entry(new WeakReference<>(list), validUntil, tag));
    }

    /**
     * A key for a view and its parameters: names sorted, each name's values sorted (repeats of a
     * name are OR, so their order does not change the answer), hashed so that a long query costs
     * no more memory than a short one. Parameters starting with {@code _} (cache busting) do not
     * count.
     */
    static String key(String view, Map<String, List<String>> parameters) {
        StringBuilder canonical = new StringBuilder(view);
        for (Map.Entry<String, List<String>> parameter : new TreeMap<>(parameters).entrySet()) {
            if (parameter.getKey().startsWith("_")) {
                continue;
            }
            for (String value : parameter.getValue().stream().sorted().toList()) {
                // Lengths first, so that no choice of names and values can look like another.
                canonical.append('\n').append(parameter.getKey().length()).append(':').append(parameter.getKey())
                        .append('=').append(value.length()).append(':').append(value);
            }
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(canonical.toString().getBytes(StandardCharsets.UTF_8));
            return view + ":" + HexFormat.of().formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
