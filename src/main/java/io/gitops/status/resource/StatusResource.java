package io.gitops.status.resource;

import io.gitops.status.api.StatusRecord;
import io.gitops.status.error.ApiException;
import io.gitops.status.json.JsonBody;
import io.gitops.status.store.StatusStore;
import io.gitops.status.update.DriftUpdate;
import io.gitops.status.update.PipelineUpdate;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.io.InputStream;
import java.util.List;

/** The v2 API: pipeline and cron writes, and the Grafana-friendly reads. */
@Path("status")
@Produces(MediaType.APPLICATION_JSON)
public final class StatusResource {

    private final StatusStore store;

    public StatusResource(StatusStore store) {
        this.store = store;
    }

    @POST
    @Path("pipeline")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response pipeline(InputStream body, @Context UriInfo uriInfo) {
        return Writes.store(store, PipelineUpdate.parse(JsonBody.readObject(body)), uriInfo);
    }

    @POST
    @Path("cron")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response cron(InputStream body, @Context UriInfo uriInfo) {
        return Writes.store(store, DriftUpdate.parse(JsonBody.readObject(body)), uriInfo);
    }

    @GET
    public List<StatusRecord> list(@Context UriInfo uriInfo) {
        return store.all().stream().filter(RecordFilter.from(uriInfo.getQueryParameters())).toList();
    }

    @GET
    @Path("{server_group}")
    public List<StatusRecord> group(@PathParam("server_group") String serverGroup) {
        return store.all().stream().filter(r -> r.serverGroup().equals(serverGroup)).toList();
    }

    @GET
    @Path("{server_group}/{host}")
    public StatusRecord host(@PathParam("server_group") String serverGroup, @PathParam("host") String host) {
        return store.find(serverGroup, host).orElseThrow(
                () -> ApiException.notFound("no record for " + StatusRecord.key(serverGroup, host)));
    }
}
