package io.gitops.status.resource;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.gitops.status.json.Json;
import jakarta.ws.rs.ext.ContextResolver;
import jakarta.ws.rs.ext.Provider;

/** Hands Jersey's Jackson provider the application's one {@link ObjectMapper}. */
@Provider
public final class ObjectMapperResolver implements ContextResolver<ObjectMapper> {

    @Override
    public ObjectMapper getContext(Class<?> type) {
        return Json.mapper();
    }
}
