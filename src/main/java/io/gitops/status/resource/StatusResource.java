package io.gitops.status.resource;

import io.gitops.status.api.FileRow;
import io.gitops.status.api.StatusRecord;
import io.gitops.status.error.ApiException;
import io.gitops.status.json.JsonBody;
import io.gitops.status.store.StatusStore;
import io.gitops.status.update.Deletion;
import io.gitops.status.update.DriftUpdate;
import io.gitops.status.update.PipelineUpdate;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.logging.Logger;

/** The v2 API: pipeline and cron writes, and the Grafana-friendly reads. */
@Singleton
@Path("status")
@Produces(MediaType.APPLICATION_JSON)
public final class StatusResource {

    private static final Logger LOG = Logger.getLogger(StatusResource.class.getName());

    private final StatusStore store;
    private final Representation.Cache fullList = new Representation.Cache(records -> records);

    @Inject
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
    public Response list(@Context UriInfo uriInfo, @Context HttpHeaders headers) {
        MultivaluedMap<String, String> query = uriInfo.getQueryParameters();
        Predicate<StatusRecord> filter = RecordFilter.from(query);
        if (RecordFilter.selectsAll(query)) {
            return fullList.of(store.all()).respond(headers);
        }
        return Representation.of(matching(filter)).respond(headers);
    }

    /** One row per (server group, host, changed file); the same filters as the list. */
    @GET
    @Path("files")
    public Response files(@Context UriInfo uriInfo, @Context HttpHeaders headers) {
        List<StatusRecord> records = matching(RecordFilter.from(uriInfo.getQueryParameters()));
        return Representation.of(records.stream().flatMap(FileRow::of).toList()).respond(headers);
    }

    @GET
    @Path("{server_group}")
    public Response group(@PathParam("server_group") String serverGroup, @Context HttpHeaders headers) {
        return Representation.of(matching(inGroup(serverGroup))).respond(headers);
    }

    /**
     * Bulk clean-up: deletes every record matching the body's filters, an object of the list's
     * filter names to a value or an array of values, e.g. {@code {"server_group": "lab", "status":
     * ["failed", "unknown"]}}. At least one filter is required.
     */
    @POST
    @Path("delete")
    @Consumes(MediaType.APPLICATION_JSON)
    public Map<String, List<String>> deleteMatching(InputStream body) {
        Predicate<StatusRecord> filter = RecordFilter.from(RecordFilter.fromJson(JsonBody.readObject(body)));
        return Map.of("deleted", deleteAll(matching(filter)));
    }

    @DELETE
    @Path("{server_group}")
    public Response deleteGroup(@PathParam("server_group") String serverGroup) {
        List<StatusRecord> group = matching(inGroup(serverGroup));
        if (group.isEmpty()) {
            throw ApiException.notFound("no records in group " + serverGroup);
        }
        deleteAll(group);
        return Response.noContent().build();
    }

    @DELETE
    @Path("{server_group}/{host}")
    public Response deleteHost(@PathParam("server_group") String serverGroup, @PathParam("host") String host) {
        delete(serverGroup, host);
        return Response.noContent().build();
    }

    /** Deletes the records, skipping any another request deleted meanwhile; returns the keys deleted. */
    private List<String> deleteAll(List<StatusRecord> records) {
        List<String> deleted = new ArrayList<>();
        for (StatusRecord record : records) {
            try {
                delete(record.serverGroup(), record.host());
                deleted.add(record.key());
            } catch (ApiException e) {
                if (e.status() != 404) {
                    throw e;
                }
            }
        }
        return deleted;
    }

    private List<StatusRecord> matching(Predicate<StatusRecord> filter) {
        return store.all().stream().filter(filter).toList();
    }

    private static Predicate<StatusRecord> inGroup(String serverGroup) {
        return record -> record.serverGroup().equals(serverGroup);
    }

    private void delete(String serverGroup, String host) {
        store.write(new Deletion(serverGroup, host));
        LOG.info("deleted " + StatusRecord.key(serverGroup, host));
    }

    @GET
    @Path("{server_group}/{host}")
    public Response host(@PathParam("server_group") String serverGroup, @PathParam("host") String host,
            @Context HttpHeaders headers) {
        StatusRecord record = store.find(serverGroup, host).orElseThrow(
                () -> ApiException.notFound("no record for " + StatusRecord.key(serverGroup, host)));
        return Representation.of(record).respond(headers);
    }
}
