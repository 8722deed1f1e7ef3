package io.gitops.status.resource;

import io.gitops.status.store.StatusStore;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Request;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What the service is ({@code /}, or the status page to a browser), liveness ({@code /health}) and readiness ({@code /ready}). */
@Singleton
@Path("")
@Produces(MediaType.APPLICATION_JSON)
public final class ServiceResource {

    /** In the README's order, which the resource model does not keep; EndpointListTest holds it to the model. */
    static final List<String> ENDPOINTS = List.of(
            "POST /status/pipeline",
            "POST /status/cron",
            "GET /status",
            "GET /status/files",
            "GET /status/summary",
            "GET /status/{server_group}",
            "GET /status/{server_group}/{host}",
            "GET /status/{server_group}/{host}/history",
            "GET /events",
            "GET /metrics",
            "GET /notifications",
            "POST /status/delete",
            "DELETE /status/{server_group}",
            "DELETE /status/{server_group}/{host}",
            "POST /api/status",
            "GET /api/status",
            "GET /status.json",
            "GET /admin/export",
            "GET /badge.svg",
            "GET /badge.json",
            "GET /badge/{server_group}.svg",
            "GET /badge/{server_group}.json",
            "GET /badge/{server_group}/{host}.svg",
            "GET /badge/{server_group}/{host}.json",
            "GET /health",
            "GET /ready",
            "GET /openapi.json",
            "GET /ui/{file}");

    private final StatusStore store;

    @Inject
    public ServiceResource(StatusStore store) {
        this.store = store;
    }

    /** {@code GET /}: the status page to a browser, the service description (JSON) to everyone else. */
    @GET
    @Produces({MediaType.APPLICATION_JSON, MediaType.TEXT_HTML})
    public Response root(@Context Request request, @Context UriInfo uri, @HeaderParam(HttpHeaders.ACCEPT) String accept) {
        Response answer = StatusPage.wanted(accept) ? StatusPage.page(request, uri) : Response.ok(info(), MediaType.APPLICATION_JSON_TYPE).build();
        answer.getHeaders().add(HttpHeaders.VARY, HttpHeaders.ACCEPT);
        return answer;
    }

    public Map<String, Object> info() {
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("name", ServiceInfo.NAME);
        info.put("version", ServiceInfo.version());
        StatusStore.Location location = store.location();
        Map<String, Object> where = new LinkedHashMap<>();
        where.put("kind", location.kind());
        where.put(location.name(), location.value());
        info.put("store", where);
        info.put("endpoints", ENDPOINTS);
        return info;
    }

    /** Liveness: answers while the application runs, without touching the disk. */
    @GET
    @Path("health")
    public Map<String, String> health() {
        return Map.of("status", "up");
    }

    @GET
    @Path("ready")
    public Response ready() {
        StatusStore.Readiness readiness = store.readiness();
        Map<String, Object> body = new LinkedHashMap<>();
        if (readiness.ready()) {
            body.put("status", "ready");
            Map<String, Object> store = new LinkedHashMap<>();
            store.put("kind", readiness.location().kind());
            store.put(readiness.location().name(), readiness.location().value());
            store.put("servers", readiness.servers());
            body.put("store", store);
            return Response.ok(body).build();
        }
        body.put("status", "not_ready");
        body.put("reason", readiness.reason());
        return Response.status(Response.Status.SERVICE_UNAVAILABLE).entity(body).build();
    }
}
