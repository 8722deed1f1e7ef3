package io.gitops.status.resource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gitops.status.TestPostgres;
import io.gitops.status.app.GitopsStatusApplication;
import io.gitops.status.config.AppConfig;
import io.gitops.status.notify.Notifier;
import io.gitops.status.notify.WebhookReceiver;
import io.gitops.status.resource.OpenApiProbes.Probe;
import io.gitops.status.resource.OpenApiProbes.Setup;
import io.gitops.status.store.postgres.PostgresStatusStore;
import jakarta.annotation.Priority;
import jakarta.ws.rs.client.Entity;
import jakarta.ws.rs.client.Invocation;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.Application;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.glassfish.jersey.client.ClientProperties;
import org.glassfish.jersey.test.JerseyTest;
import org.glassfish.jersey.test.TestProperties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * The OpenAPI document answer for answer: every probe of {@link OpenApiProbes} is sent to the live
 * application (Jetty, the real application class, as in {@link ApiTestSupport}) in the setup it
 * names, and its answer must be the expected status, documented for the probe's route, with a body
 * that conforms to the documented schema and the documented headers. Then every status that the
 * document lists for a route must have been answered by some probe (500 aside: nothing provokes
 * it on purpose).
 *
 * <p>With {@code -Dgitops.test.store=postgres} (see {@link ApiTestSupport}) each setup runs on a
 * database of its own, and the {@link Setup#DAMAGED} one on a database that cannot be used (one
 * that no longer exists) instead of a damaged data file.
 */
class OpenApiAnswersTest {

    @TempDir
    static Path root;

    private static final Map<Setup, JerseyTest> RUNNING = new EnumMap<>(Setup.class);
    /** The setups' databases on PostgreSQL, dropped at the end. */
    private static final List<TestPostgres.Database> DATABASES = new ArrayList<>();
    /** The webhook receiver that accepts the {@link Setup#NOTIFY} setup's notifications. */
    private static WebhookReceiver receiver;
    /** Route to the statuses its live answers conformed with. */
    private final Map<String, Set<Integer>> seen = new TreeMap<>();

    @TestFactory
    Stream<DynamicTest> everyAnswerConformsToTheDocument() {
        OpenApiDocument document = new OpenApiDocument(send(probe(Setup.PLAIN, "GET /openapi.json", "openapi.json"))
                .body());
        List<Probe> probes = Stream.concat(OpenApiProbes.explicit().stream().filter(p -> p.expected() != 204
                                && p.expected() != 404 || !p.method().equals("DELETE")),
                        Stream.concat(OpenApiProbes.derived(document).stream(),
                                OpenApiProbes.explicit().stream().filter(p -> p.method().equals("DELETE")
                                        && (p.expected() == 204 || p.expected() == 404))))
                .toList();
        return Stream.concat(
                probes.stream().map(probe -> DynamicTest.dynamicTest(probe.toString(), () -> check(document, probe))),
                Stream.of(DynamicTest.dynamicTest("every documented status was answered",
                        () -> assertEquals(documented(document), seen))));
    }

    private void check(OpenApiDocument document, Probe probe) {
        // Asks for what the route's success answers in (JSON, the Prometheus text, ...) unless the probe says.
        Live answer = send(probe.headers().containsKey("Accept") ? probe
                : probe.header("Accept", document.successMediaType(probe.route())));
        assertEquals(probe.expected(), answer.status(), probe + " answered " + answer.body());
        List<String> problems = document.problems(probe.route(), answer.status(), answer.contentType(),
                answer::header, answer.body());
        assertTrue(problems.isEmpty(), probe + ": " + String.join("\n", problems) + "\nanswer: " + answer.body());
        seen.computeIfAbsent(probe.route(), route -> new TreeSet<>()).add(answer.status());
    }

    /** Every documented status of every route, 500 aside. */
    private static Map<String, Set<Integer>> documented(OpenApiDocument document) {
        Map<String, Set<Integer>> documented = new TreeMap<>();
        for (String route : document.routes()) {
            Set<Integer> statuses = new TreeSet<>(document.statuses(route));
            statuses.remove(500);
            documented.put(route, statuses);
        }
        return documented;
    }

    private static Probe probe(Setup setup, String route, String path) {
        return OpenApiProbes.probe(setup, route, path, 200);
    }

    /** An answer read whole. */
    record Live(int status, String contentType, MultivaluedMap<String, String> headers, String body) {
        String header(String name) {
            return headers.getFirst(name);
        }
    }

    private static Live send(Probe probe) {
        JerseyTest application = application(probe.setup());
        Invocation.Builder request = application.target().path(probe.path().split("\\?")[0]).request();
        if (probe.path().contains("?")) {
            request = queried(application, probe.path()).request();
        }
        // A redirect is an answer of its own (GET / under a context path), not the next request's.
        request.property(ClientProperties.FOLLOW_REDIRECTS, false);
        if (!probe.headers().containsKey("Accept")) {
            request.header("Accept", "application/json");
        }
        for (Map.Entry<String, String> header : probe.headers().entrySet()) {
            String value = header.getValue();
            if (value.equals(OpenApiProbes.PREVIOUS_TAG)) {
                // The same request without If-None-Match: the same Accept, so the same representation.
                Map<String, String> first = new LinkedHashMap<>(probe.headers());
                first.remove(header.getKey());
                value = send(new Probe(probe.setup(), probe.route(), probe.method(), probe.path(), probe.body(),
                        probe.contentType(), first, 200)).header("ETag");
                assertNotNull(value, "no ETag to revalidate: " + probe);
            }
            request.header(header.getKey(), value);
        }
        try (Response response = probe.body() == null ? request.method(probe.method())
                : request.method(probe.method(), Entity.entity(probe.body(), probe.contentType()))) {
            String body = response.hasEntity() ? response.readEntity(String.class) : "";
            return new Live(response.getStatus(), response.getHeaderString("Content-Type"),
                    response.getStringHeaders(), body);
        }
    }

    private static jakarta.ws.rs.client.WebTarget queried(JerseyTest application, String path) {
        String[] parts = path.split("\\?", 2);
        jakarta.ws.rs.client.WebTarget target = application.target().path(parts[0]);
        for (String pair : parts[1].split("&")) {
            String[] nameValue = pair.split("=", 2);
            target = target.queryParam(nameValue[0], nameValue.length > 1 ? nameValue[1] : "");
        }
        return target;
    }

    /** The application of a setup, started on first use and seeded through the API. */
    static synchronized JerseyTest application(Setup setup) {
        return RUNNING.computeIfAbsent(setup, s -> {
            try {
                Path folder = Files.createTempDirectory(root, s.name().toLowerCase());
                AppConfig config = AppConfig.forStatusFile(folder.resolve("status.json"));
                switch (s) {
                    case PLAIN -> config = config.withLimits(new AppConfig.Limits(1000, 5, 1024 * 1024));
                    case FULL -> config = config.withLimits(new AppConfig.Limits(1, 5, 1024 * 1024));
                    case TOKENS -> {
                        Path tokens = folder.resolve("tokens.txt");
                        Files.writeString(tokens, "reader " + TokensApiTest.sha256(OpenApiProbes.READER) + " read\n"
                                + "writer " + TokensApiTest.sha256(OpenApiProbes.WRITER) + " write:prod-*\n"
                                + "badger " + TokensApiTest.sha256(OpenApiProbes.BADGER) + " badge\n"
                                + "admin " + TokensApiTest.sha256(OpenApiProbes.ADMIN) + " admin\n");
                        config = config.withTokenFile(tokens);
                    }
                    case DAMAGED -> {
                        Files.write(config.statusFile(), DamagedStoreApiTest.DAMAGED);
                        // GET /notifications answers 503 where the sender's saved state cannot be read
                        Files.createDirectory(folder.resolve(config.statusFile().getFileName() + "." + Notifier.DOCUMENT));
                        config = config.withNotifyFile(rulesFile(folder, """
                                receivers:
                                  - name: nowhere
                                    webhook: {url: "http://127.0.0.1:1/"}
                                rules:
                                  - name: problems
                                    on: [failed]
                                    receivers: [nowhere]
                                """));
                    }
                    case NOTIFY -> config = config.withNotifyFile(rulesFile(folder, """
                            public_url: https://status.example.com/gitops-status
                            delivery: {attempts: 2, backoff: P1D, max_backoff: P1D}
                            receivers:
                              - name: ops
                                webhook: {url: "%1$s"}
                              - name: chat
                                slack: {url: "%1$s"}
                              - name: alertmanager
                                alertmanager: {url: "%1$s"}
                              - name: pager
                                webhook: {url: "http://127.0.0.1:1/"}
                            rules:
                              - name: problems
                                on: [out_of_sync, failed, unknown, stale]
                                receivers: [ops, chat, alertmanager, pager]
                              - name: failing-for-a-day
                                match: {server_group: "lab*"}
                                on: [failed]
                                for: P1D
                                receivers: [ops]
                            """.formatted(receiver().url())));
                    default -> { }
                }
                if (ApiTestSupport.onPostgres()) {
                    TestPostgres.Database database = TestPostgres.database("OpenApiAnswersTest_" + s.name());
                    if (s == Setup.DAMAGED) {
                        database.drop(); // its URL now names a database that does not exist
                    } else {
                        DATABASES.add(database);
                    }
                    config = config.withDatabase(AppConfig.Database.at(database.jdbcUrl()));
                }
                GitopsStatusApplication app = new GitopsStatusApplication(config);
                if (ApiTestSupport.onPostgres() && s != Setup.DAMAGED) {
                    ApiTestSupport.awaitLoaded((PostgresStatusStore) app.store());
                }
                if (s == Setup.CONTEXT) {
                    app.register(UnderContextPath.class);
                }
                JerseyTest started = new Started(app);
                started.setUp();
                seed(started, s);
                if (s == Setup.NOTIFY) {
                    app.notifier().orElseThrow().look(); // besides its own timer: the first look is done
                }
                return started;
            } catch (Exception e) {
                throw new IllegalStateException("cannot start the " + s + " application", e);
            }
        });
    }

    private static synchronized WebhookReceiver receiver() throws IOException {
        if (receiver == null) {
            receiver = new WebhookReceiver(null);
        }
        return receiver;
    }

    private static Path rulesFile(Path folder, String yaml) throws IOException {
        Path file = folder.resolve("notify.yaml");
        Files.writeString(file, yaml);
        return file;
    }

    private static void seed(JerseyTest application, Setup setup) {
        List<String> bodies = switch (setup) {
            case PLAIN, NOTIFY -> List.of(
                    "{\"server_group\": \"prod-web\", \"host\": \"web-01\", \"status\": \"synced\", \"environment\": \"prod\","
                            + " \"changed_files\": [\"a.conf\"], \"labels\": {\"team\": \"web\", \"tier\": 1}}",
                    "{\"server_group\": \"prod-web\", \"host\": \"web-02\", \"status\": \"synced\"}",
                    "{\"server_group\": \"lab\", \"host\": \"old-01\", \"status\": \"failed\"}",
                    "{\"server_group\": \"lab\", \"host\": \"old-03\", \"status\": \"synced\"}",
                    "{\"server_group\": \"lab2\", \"host\": \"old-02\", \"status\": \"unknown\"}");
            case FULL -> List.of("{\"server_group\": \"seed\", \"host\": \"one\", \"status\": \"synced\"}");
            default -> List.of();
        };
        for (String body : bodies) {
            try (Response response = application.target("status/pipeline").request()
                    .post(Entity.entity(body.getBytes(StandardCharsets.UTF_8), "application/json"))) {
                assertEquals(200, response.getStatus(), body);
            }
        }
        if (setup == Setup.PLAIN || setup == Setup.NOTIFY) {
            try (Response response = application.target("status/cron").request().post(Entity.entity(
                    "{\"server_group\": \"prod-web\", \"host\": \"web-01\", \"status\": \"out_of_sync\"}",
                    "application/json"))) {
                assertEquals(200, response.getStatus());
            }
        }
    }

    @AfterAll
    static void stop() throws Exception {
        for (JerseyTest application : RUNNING.values()) {
            application.tearDown();
        }
        RUNNING.clear();
        if (receiver != null) {
            receiver.close();
            receiver = null;
        }
        DATABASES.forEach(TestPostgres.Database::drop);
        DATABASES.clear();
    }

    /**
     * Jersey as a servlet container runs it under a context path ({@link OpenApiProbes#CONTEXT}):
     * the base URI is the context with a slash, the request URI what the client asked for, which
     * for the context itself ({@code /gitops-status}) is shorter than the base. The test
     * container serves only at the root, so this moves the base for the paths under the context.
     */
    @PreMatching
    @Priority(1)
    public static final class UnderContextPath implements ContainerRequestFilter {
        @Override
        public void filter(ContainerRequestContext request) {
            URI requested = request.getUriInfo().getRequestUri();
            String context = "/" + OpenApiProbes.CONTEXT;
            if (requested.getRawPath().equals(context) || requested.getRawPath().startsWith(context + "/")) {
                request.setRequestUri(request.getUriInfo().getBaseUri().resolve(OpenApiProbes.CONTEXT + "/"), requested);
            }
        }
    }

    /** The application on a free port. */
    private static final class Started extends JerseyTest {
        Started(Application application) {
            super(application);
            forceSet(TestProperties.CONTAINER_PORT, "0");
        }
    }
}
