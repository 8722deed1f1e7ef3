package io.gitops.status.resource;

import io.gitops.status.api.Staleness;
import io.gitops.status.api.StatusRecord;
import io.gitops.status.json.JsonBody;
import io.gitops.status.store.StatusStore;
import io.gitops.status.update.LegacyUpdate;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import jakarta.ws.rs.core.UriInfo;
import java.io.InputStream;
import java.time.Instant;
import java.util.List;

/** The v1 API of the rsyslog integration, kept working as it was. */
@Singleton
@Path("")
@Produces(MediaType.APPLICATION_JSON)
public final class LegacyStatusResource {

    private final StatusStore store;
    private final Writes writes;
    private final Streamed lists;

    @Inject
    public LegacyStatusResource(StatusStore store, Writes writes, Staleness staleness) {
        this.store = store;
        this.writes = writes;
        this.lists = new Streamed(staleness);
    }

    /** The token's scopes must cover the {@code repo}, the record's server group. */
    @POST
    @Path("api/status")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response report(InputStream body, @Context SecurityContext caller, @Context UriInfo uriInfo) {
        return writes.store(LegacyUpdate.parse(JsonBody.readObject(body), writes.rules()), caller, uriInfo);
    }

    @GET
    @Path("api/status")
    public Response list(@Context HttpHeaders headers) {
        List<StatusRecord> records = store.all();
        // v1 rows do not show staleness: the tag holds as long as the list.
        return lists.respond(headers, "legacy", records, Instant.MIN, false,
                () -> new Streamed.Answer(ListViews.legacy(records))).response().build();
    }

    @GET
    @Path("status.json")
    public Response statusJson(@Context HttpHeaders headers) {
        return list(headers);
    }
}
