package io.gitops.status.resource;

import com.fasterxml.jackson.databind.JsonNode;
import io.gitops.status.json.Json;
import jakarta.inject.Singleton;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * {@code GET /openapi.json}: the OpenAPI 3.1 description of the API. The document is a
 * hand-maintained resource file ({@value #DOCUMENT}), its {@code info.version} filled in by the
 * build's resource filtering like {@link ServiceInfo}'s; it is read and checked to be JSON once,
 * at start-up, and answered like the other small reads: a strong {@code ETag}, 304 on a matching
 * {@code If-None-Match}, gzip when asked for. The tests hold it to the application route for route
 * and answer for answer.
 */
@Singleton
@Path("openapi.json")
@Produces(MediaType.APPLICATION_JSON)
public final class OpenApiResource {

    static final String DOCUMENT = "/openapi/openapi.json";

    private final Representation document = Representation.of(load());

    @GET
    public Response document(@Context HttpHeaders headers) {
        return document.respond(headers);
    }

    /** The document as the application serves it. */
    static JsonNode load() {
        try (InputStream in = OpenApiResource.class.getResourceAsStream(DOCUMENT)) {
            if (in == null) {
                throw new IllegalStateException("the OpenAPI document " + DOCUMENT + " is missing from the build");
            }
            return Json.mapper().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException("the OpenAPI document " + DOCUMENT + " cannot be read", e);
        }
    }
}
