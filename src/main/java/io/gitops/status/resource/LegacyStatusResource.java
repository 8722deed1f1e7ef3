package io.gitops.status.resource;

import io.gitops.status.api.LegacyStatus;
import io.gitops.status.json.JsonBody;
import io.gitops.status.store.StatusStore;
import io.gitops.status.update.LegacyUpdate;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.io.InputStream;
import java.util.List;

/** The v1 API of the rsyslog integration, kept working as it was. */
@Path("")
@Produces(MediaType.APPLICATION_JSON)
public final class LegacyStatusResource {

    private final StatusStore store;

    public LegacyStatusResource(StatusStore store) {
        this.store = store;
    }

    @POST
    @Path("api/status")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response report(InputStream body, @Context UriInfo uriInfo) {
        return Writes.store(store, LegacyUpdate.parse(JsonBody.readObject(body)), uriInfo);
    }

    @GET
    @Path("api/status")
    public List<LegacyStatus> list() {
        return store.all().stream().map(LegacyUpdate::toLegacy).toList();
    }

    @GET
    @Path("status.json")
    public List<LegacyStatus> statusJson() {
        return list();
    }
}
