package io.gitops.status.resource;

import io.gitops.status.api.Refusal;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.ext.Provider;

/**
 * Every write's body must be declared JSON. Jersey lets a request without {@code Content-Type}
 * match {@code @Consumes}; the contract refuses it with 415 like any other media type.
 */
@Provider
public final class JsonBodyFilter implements ContainerRequestFilter {

    @Override
    public void filter(ContainerRequestContext request) {
        if (!HttpMethod.POST.equals(request.getMethod())) {
            return;
        }
        MediaType type = request.getMediaType();
        if (type == null || !type.isCompatible(MediaType.APPLICATION_JSON_TYPE) || type.isWildcardType()
                || type.isWildcardSubtype()) {
            throw Refusal.unsupportedMediaType();
        }
    }
}
