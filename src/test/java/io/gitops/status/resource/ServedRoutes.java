package io.gitops.status.resource;

import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.server.model.Resource;
import org.glassfish.jersey.server.model.ResourceMethod;

/**
 * What an application really serves, as {@code "METHOD /path"} (e.g. {@code "GET /status/{server_group}"}),
 * read from Jersey's resource model of every resource class or instance it registers. HEAD and
 * OPTIONS, which Jersey answers for every path by itself, are not resource methods and are not
 * listed.
 */
final class ServedRoutes {

    private ServedRoutes() {
    }

    static Set<String> of(ResourceConfig application) {
        Set<String> served = new TreeSet<>();
        Stream.concat(application.getClasses().stream(), application.getInstances().stream().map(Object::getClass))
                .filter(Resource::isAcceptable)
                .map(Resource::from)
                .filter(resource -> resource != null)
                .forEach(resource -> collect(resource, "", served));
        return served;
    }

    /** Adds "METHOD /path" for every resource method of {@code resource} and of its children. */
    private static void collect(Resource resource, String parent, Set<String> served) {
        String path = Stream.of(parent, resource.getPath())
                .flatMap(part -> Stream.of(part.split("/")))
                .filter(segment -> !segment.isEmpty())
                .collect(Collectors.joining("/", "/", ""));
        for (ResourceMethod method : resource.getResourceMethods()) {
            served.add(method.getHttpMethod() + " " + path);
        }
        resource.getChildResources().forEach(child -> collect(child, path, served));
    }
}
