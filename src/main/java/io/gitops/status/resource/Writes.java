package io.gitops.status.resource;

import io.gitops.status.api.WriteResponse;
import io.gitops.status.store.StatusStore;
import io.gitops.status.update.Update;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

/** Stores an update and answers as every write endpoint does (200, {@code Location} when created). */
final class Writes {

    private Writes() {
    }

    static Response store(StatusStore store, Update update, UriInfo uriInfo) {
        StatusStore.Written written = store.write(update);
        WriteResponse body = new WriteResponse(written.created() ? "created" : "updated", update.key(),
                written.record(), update.ignoredFields());
        Response.ResponseBuilder response = Response.ok(body);
        if (written.created()) {
            response.location(uriInfo.getBaseUriBuilder().path("status/{group}/{host}")
                    .build(update.serverGroup(), update.host()));
        }
        return response.build();
    }
}
