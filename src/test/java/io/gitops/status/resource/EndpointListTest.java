package io.gitops.status.resource;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.gitops.status.app.GitopsStatusApplication;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The endpoint list of {@code GET /} is written by hand, in the order the README documents; this
 * test holds it to what the application really serves, read from Jersey's resource model of every
 * resource class that {@link GitopsStatusApplication} registers. A new endpoint that the list
 * forgets, or a listed one that is gone, fails here.
 */
class EndpointListTest extends ApiTestSupport {

    @Test
    void rootListsExactlyTheEndpointsTheApplicationServes() {
        List<String> listed = texts(get("").json().get("endpoints"));
        assertEquals(listed.size(), Set.copyOf(listed).size(), "listed twice: " + listed);

        Set<String> served = new TreeSet<>(ServedRoutes.of(application));
        // The root answers with the list and does not name itself in it.
        served.remove("GET /");

        assertEquals(served, new TreeSet<>(listed));
    }
}
