package io.gitops.status.resource;

import io.gitops.status.api.Refusal;
import io.gitops.status.api.Staleness;
import io.gitops.status.api.StatusRecord;
import io.gitops.status.api.Transition;
import io.gitops.status.config.AppConfig;
import io.gitops.status.json.JsonBody;
import io.gitops.status.store.StatusStore;
import io.gitops.status.update.AttributedUpdate;
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
import jakarta.ws.rs.core.SecurityContext;
import jakarta.ws.rs.core.UriInfo;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/** The v2 API: pipeline and cron writes, deletions, and the Grafana-friendly reads. */
@Singleton
@Path("status")
@Produces(MediaType.APPLICATION_JSON)
public final class StatusResource {

    private final StatusStore store;
    private final Writes writes;
    private final Staleness staleness;
    private final int historySize;
    private final Streamed lists;

    @Inject
    public StatusResource(StatusStore store, Writes writes, Staleness staleness, AppConfig config) {
        this.store = store;
        this.writes = writes;
        this.staleness = staleness;
        this.historySize = config.historySize();
        this.lists = new Streamed(staleness);
    }

    @POST
    @Path("pipeline")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response pipeline(InputStream body, @Context SecurityContext caller, @Context UriInfo uriInfo) {
        return writes.store(PipelineUpdate.parse(JsonBody.readObject(body), writes.rules()), caller, uriInfo);
    }

    @POST
    @Path("cron")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response cron(InputStream body, @Context SecurityContext caller, @Context UriInfo uriInfo) {
        return writes.store(DriftUpdate.parse(JsonBody.readObject(body), writes.rules()), caller, uriInfo);
    }

    @GET
    public Response list(@Context UriInfo uriInfo, @Context HttpHeaders headers) {
        MultivaluedMap<String, String> query = uriInfo.getQueryParameters();
        Instant now = staleness.now();
        Predicate<StatusRecord> filter = RecordFilter.from(query, staleness, now);
        List<StatusRecord> records = store.all();
        return lists.respond(headers, TagCache.key("status", query), records, now, true,
                () -> new Streamed.Answer(ListViews.rows(records, filter, staleness, now))).response().build();
    }

    /** One row per (server group, host, changed file); the same filters as the list. */
    @GET
    @Path("files")
    public Response files(@Context UriInfo uriInfo, @Context HttpHeaders headers) {
        MultivaluedMap<String, String> query = uriInfo.getQueryParameters();
        Instant now = staleness.now();
        Predicate<StatusRecord> filter = RecordFilter.from(query, staleness, now);
        List<StatusRecord> records = store.all();
        return lists.respond(headers, TagCache.key("files", query), records, now, RecordFilter.usesClock(query),
                () -> new Streamed.Answer(ListViews.files(records, filter))).response().build();
    }

    /** One row per server group, then one ({@code "*"}) for all; the same filters as the list. */
    @GET
    @Path("summary")
    public Response summary(@Context UriInfo uriInfo, @Context HttpHeaders headers) {
        MultivaluedMap<String, String> query = uriInfo.getQueryParameters();
        Instant now = staleness.now();
        Predicate<StatusRecord> filter = RecordFilter.from(query, staleness, now);
        List<StatusRecord> records = store.all();
        return lists.respond(headers, TagCache.key("summary", query), records, now, true,
                () -> new Streamed.Answer(ListViews.summary(records, filter, staleness, now))).response().build();
    }

    @GET
    @Path("{server_group}")
    public Response group(@PathParam("server_group") String serverGroup, @Context HttpHeaders headers) {
        Instant now = staleness.now();
        List<StatusRecord> records = store.all();
        return lists.respond(headers, TagCache.key("group", Map.of("server_group", List.of(serverGroup))), records,
                now, true, () -> new Streamed.Answer(ListViews.rows(records, inGroup(serverGroup), staleness, now)))
                .response().build();
    }

    @GET
    @Path("{server_group}/{host}")
    public Response host(@PathParam("server_group") String serverGroup, @PathParam("host") String host,
            @Context HttpHeaders headers) {
        return Representation.of(staleness.row(find(serverGroup, host), staleness.now())).respond(headers);
    }

    /** The host's last status transitions, newest first. */
    @GET
    @Path("{server_group}/{host}/history")
    public Response history(@PathParam("server_group") String serverGroup, @PathParam("host") String host,
            @Context HttpHeaders headers) {
        List<Transition> newestFirst = new ArrayList<>(
                store.history(find(serverGroup, host), historySize));
        Collections.reverse(newestFirst);
        return Representation.of(newestFirst).respond(headers);
    }

    /**
     * Bulk clean-up: deletes every record matching the body's filters, an object of the list's
     * filter names to a value or an array of values, e.g. {@code {"server_group": "lab", "stale":
     * true}}. At least one filter is required.
     */
    @POST
    @Path("delete")
    @Consumes(MediaType.APPLICATION_JSON)
    public Map<String, List<String>> deleteMatching(InputStream body, @Context SecurityContext caller) {
        MultivaluedMap<String, String> filters = RecordFilter.fromJson(JsonBody.readObject(body));
        Predicate<StatusRecord> filter = RecordFilter.from(filters, staleness, staleness.now());
        return Map.of("deleted", writes.deleteMatching(filter, filters.getOrDefault("server_group", List.of()),
                caller));
    }

    @DELETE
    @Path("{server_group}")
    public Response deleteGroup(@PathParam("server_group") String serverGroup, @Context SecurityContext caller) {
        writes.deleteGroup(serverGroup, matching(inGroup(serverGroup)), caller);
        return Response.noContent().build();
    }

    @DELETE
    @Path("{server_group}/{host}")
    public Response deleteHost(@PathParam("server_group") String serverGroup, @PathParam("host") String host,
            @Context SecurityContext caller) {
        writes.delete(serverGroup, host, caller);
        return Response.noContent().build();
    }

    private StatusRecord find(String serverGroup, String host) {
        return store.find(serverGroup, host).orElseThrow(
                () -> Refusal.notFound("no record for " + StatusRecord.key(serverGroup, host)));
    }

    private List<StatusRecord> matching(Predicate<StatusRecord> filter) {
        return store.all().stream().filter(filter).toList();
    }

    private static Predicate<StatusRecord> inGroup(String serverGroup) {
        return record -> record.serverGroup().equals(serverGroup);
    }
}
