package io.gitops.status.error;

import io.gitops.status.api.ErrorBody;
import io.gitops.status.api.Refusal;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

/** A refused request: the status of its kind ({@link ErrorResponses#statusOf}), its code, message and field. */
@Provider
public final class RefusalMapper implements ExceptionMapper<Refusal> {

    @Override
    public Response toResponse(Refusal e) {
        Response response = ErrorResponses.of(ErrorResponses.statusOf(e.kind()),
                new ErrorBody(e.code(), e.getMessage(), e.field(), null));
        if (e.kind() == Refusal.Kind.UNAUTHORIZED) {
            return Response.fromResponse(response)
                    .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"gitops-status\"").build();
        }
        return response;
    }
}
