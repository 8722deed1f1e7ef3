package io.gitops.status.resource;

import io.gitops.status.store.StatusStore;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.logging.Logger;

/**
 * {@code GET /admin/export}: the whole store in the data file's format, history included, so that
 * an export can be the {@code statusFile} of a file store or the {@code importFile} of a PostgreSQL
 * store. It is written as the store reads it, never held whole in memory. Who may ask is decided
 * by {@link AuthFilter} (the {@code admin} scope when tokens are on).
 */
@Singleton
@Path(AdminResource.PATH)
public final class AdminResource {

    static final String PATH = "admin";
    static final String EXPORT_FILE_NAME = "gitops-status-export.json";
    /**
     * The request property (a servlet request attribute in a servlet container) that holds the
     * failure of an export cut short after its first bytes had been sent.
     */
    public static final String CUT_SHORT = "io.gitops.status.export.cutShort";

    private static final Logger LOG = Logger.getLogger(AdminResource.class.getName());
    /**
     * Larger than Jersey's own response buffer (8 KiB by default, which the application keeps), so
     * that the first bytes passed on commit the response: until then a failure is still answered
     * with its error (503 {@code store_unavailable}), and nothing has reached the client.
     */
    private static final int BUFFER_BYTES = 32 * 1024;

    private final StatusStore store;

    @Inject
    public AdminResource(StatusStore store) {
        this.store = store;
    }

    @GET
    @Path("export")
    @Produces(MediaType.APPLICATION_JSON)
    public Response export(@Context ContainerRequestContext request) {
        StreamingOutput body = out -> {
            Sent sent = new Sent(new Streamed.Slices(out));
            try {
                OutputStream buffered = new BufferedOutputStream(sent, BUFFER_BYTES);
                store.export(buffered);
                buffered.flush();
            } catch (IOException | RuntimeException e) {
                if (sent.any) {
                    // The status line and the first records are on their way: no error answer can
                    // follow them, and a normal end would pass the truncated file off as a complete
                    // export. Aborting the connection is the one signal left. Jersey alone would
                    // only log the failure and end the answer normally, so the servlet
                    // (app.JerseyServlet) fails the request when it finds this property set,
                    // and the container then closes the connection.
                    LOG.warning("export cut short after its first bytes were sent: " + e);
                    request.setProperty(CUT_SHORT, e);
                }
                throw e;
            }
        };
        return Response.ok(body, MediaType.APPLICATION_JSON_TYPE)
                .header("Content-Disposition", "attachment; filename=\"" + EXPORT_FILE_NAME + "\"")
                // The whole store: no cache along the way may keep a copy.
                .header(HttpHeaders.CACHE_CONTROL, "no-store")
                .build();
    }

    /** Remembers whether any byte went on to the container. */
    private static final class Sent extends FilterOutputStream {
        private boolean any;

        Sent(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            any = true;
            out.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            any = any || len > 0;
            out.write(b, off, len);
        }
    }
}
