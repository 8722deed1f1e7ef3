package io.gitops.status.resource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JacksonException;
import io.gitops.status.api.StatusRecord;
import io.gitops.status.error.RefusalMapper;
import io.gitops.status.error.UnexpectedExceptionMapper;
import io.gitops.status.json.Json;
import io.gitops.status.store.StatusStore;
import io.gitops.status.store.StoreUnavailableException;
import io.gitops.status.update.Update;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.core.Application;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.glassfish.jersey.internal.inject.AbstractBinder;
import org.glassfish.jersey.jackson.JacksonFeature;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.server.monitoring.ApplicationEvent;
import org.glassfish.jersey.server.monitoring.ApplicationEventListener;
import org.glassfish.jersey.server.monitoring.RequestEvent;
import org.glassfish.jersey.server.monitoring.RequestEventListener;
import org.glassfish.jersey.test.JerseyTest;
import org.glassfish.jersey.test.TestProperties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A store whose export fails: before anything is sent the answer is the usual 503 JSON error;
 * after its first bytes went out it is cut short, and the request says so ({@link
 * AdminResource#CUT_SHORT}) for the servlet to abort the connection. The resource runs over a
 * store that can only export, with the application's error mappers.
 */
class AdminExportFailureTest extends JerseyTest {

    /** What the store's export does in the test under way; set before each request. */
    private static volatile Export export;
    /** Per finished request, the failure it left in {@link AdminResource#CUT_SHORT}, or empty. */
    private BlockingQueue<Optional<Object>> finished;

    interface Export {
        void to(OutputStream out) throws IOException;
    }

    @Override
    protected Application configure() {
        forceSet(TestProperties.CONTAINER_PORT, "0");
        finished = new LinkedBlockingQueue<>();
        return new ResourceConfig()
                .register(AdminResource.class)
                .register(JacksonFeature.withoutExceptionMappers())
                .register(ObjectMapperResolver.class)
                .register(RefusalMapper.class)
                .register(UnexpectedExceptionMapper.class)
                .register(new CutShortListener(finished))
                .register(new AbstractBinder() {
                    @Override
                    protected void configure() {
                        bind(new ExportOnlyStore()).to(StatusStore.class);
                    }
                });
    }

    @BeforeEach
    @Override
    public void setUp() throws Exception {
        super.setUp();
    }

    @AfterEach
    @Override
    public void tearDown() throws Exception {
        super.tearDown();
    }

    private Optional<Object> cutShort() throws InterruptedException {
        Optional<Object> left = finished.poll(10, TimeUnit.SECONDS);
        assertTrue(left != null, "the request never finished");
        return left;
    }

    private void assertStoreUnavailable(Response response) {
        assertEquals(503, response.getStatus());
        assertTrue(response.getHeaderString("Content-Type").startsWith("application/json"));
        assertNull(response.getHeaderString("Content-Disposition"), "an error must not be saved as the export");
        String body = response.readEntity(String.class);
        assertTrue(body.contains("\"error\":\"store_unavailable\""), body);
        assertTrue(body.contains("connection refused"), body);
    }

    @Test
    void aFailureBeforeTheFirstByteIsTheUsual503() throws Exception {
        export = out -> {
            throw new StoreUnavailableException("cannot read the export from the database: connection refused");
        };
        try (Response response = target("admin/export").request().get()) {
            assertStoreUnavailable(response);
        }
        assertEquals(Optional.empty(), cutShort());
    }

    @Test
    void aFailureBeforeAnythingWasSentIsStillA503() throws Exception {
        // The head of the data file is written, but it is still in the resource's buffer.
        export = out -> {
            out.write("{\"version\": \"2.0\", \"servers\": {\n".getBytes(StandardCharsets.UTF_8));
            throw new StoreUnavailableException("cannot read the export from the database: connection refused");
        };
        try (Response response = target("admin/export").request().get()) {
            assertStoreUnavailable(response);
        }
        assertEquals(Optional.empty(), cutShort());
    }

    @Test
    void aFailureAfterTheFirstBytesWereSentCutsTheAnswerShort() throws Exception {
        StoreUnavailableException failure = new StoreUnavailableException("the database went away");
        export = out -> {
            out.write("{\"version\": \"2.0\", \"servers\": {\n".getBytes(StandardCharsets.UTF_8));
            for (int i = 0; i < 2_000; i++) {
                out.write(("\"g/h" + i + "\":{\"server_group\":\"g\",\"host\":\"h" + i + "\"},\n")
                        .getBytes(StandardCharsets.UTF_8));
            }
            throw failure;
        };
        try (Response response = target("admin/export").request().get()) {
            assertEquals(200, response.getStatus(), "the status line went out with the first bytes");
            String body;
            try {
                body = response.readEntity(String.class);
            } catch (ProcessingException aborted) {
                body = null; // a container that aborts the connection: what the servlet makes happen
            }
            if (body != null) {
                String truncated = body;
                assertThrows(JacksonException.class, () -> Json.mapper().readTree(truncated),
                        "a cut export must not parse as a data file");
            }
        }
        assertSame(failure, cutShort().orElseThrow(), "the servlet is not told to abort the connection");
    }

    /** Hands each finished request's {@link AdminResource#CUT_SHORT} to the test. */
    private record CutShortListener(BlockingQueue<Optional<Object>> finished) implements ApplicationEventListener {

        @Override
        public void onEvent(ApplicationEvent event) {
        }

        @Override
        public RequestEventListener onRequest(RequestEvent start) {
            return event -> {
                if (event.getType() == RequestEvent.Type.FINISHED) {
                    finished.add(Optional.ofNullable(event.getContainerRequest().getProperty(AdminResource.CUT_SHORT)));
                }
            };
        }
    }

    /** A store that can only export, as the test says. */
    private static final class ExportOnlyStore implements StatusStore {

        @Override
        public void export(OutputStream out) throws IOException {
            export.to(out);
        }

        @Override
        public List<StatusRecord> all() {
            throw new UnsupportedOperationException();
        }

        @Override
        public Optional<StatusRecord> find(String serverGroup, String host) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Written write(Update update) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Stats stats() {
            throw new UnsupportedOperationException();
        }

        @Override
        public Readiness readiness() {
            throw new UnsupportedOperationException();
        }

        @Override
        public Location location() {
            throw new UnsupportedOperationException();
        }

        @Override
        public io.gitops.status.store.SharedDocument document(String name) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void close() {
        }
    }
}
