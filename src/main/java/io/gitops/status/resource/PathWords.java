package io.gitops.status.resource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.glassfish.jersey.server.model.Resource;

/**
 * The literal words that follow {@code /status/} in the application's paths ({@code pipeline},
 * {@code cron}, {@code files}, {@code summary}, {@code delete}), read from Jersey's resource model
 * rather than listed by hand: a server group with such a name would sit behind that endpoint, so
 * the input rules refuse it, and an endpoint added later is refused as a name the day it appears.
 */
public final class PathWords {

    private PathWords() {
    }

    /** The literal second segments of every path of {@code resourceClasses} whose first segment is {@code root}. */
    public static Set<String> under(String root, Collection<Class<?>> resourceClasses) {
        Set<String> words = new TreeSet<>();
        for (Class<?> resourceClass : resourceClasses) {
            if (Resource.isAcceptable(resourceClass)) {
                collect(Resource.from(resourceClass), List.of(), root, words);
            }
        }
        return Set.copyOf(words);
    }

    private static void collect(Resource resource, List<String> parent, String root, Set<String> words) {
        List<String> path = new ArrayList<>(parent);
        Arrays.stream(resource.getPath().split("/")).filter(segment -> !segment.isEmpty()).forEach(path::add);
        // A template segment ({server_group}) matches any name; only a literal one hides a group.
        if (path.size() >= 2 && path.get(0).equals(root) && !path.get(1).contains("{")) {
            words.add(path.get(1));
        }
        resource.getChildResources().forEach(child -> collect(child, path, root, words));
    }
}
