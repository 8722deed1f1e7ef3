package io.gitops.status.error;

import io.gitops.status.api.ErrorBody;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

/** A refused request: its status, code, message and field. */
@Provider
public final class ApiExceptionMapper implements ExceptionMapper<ApiException> {

    @Override
    public Response toResponse(ApiException e) {
        Response response = ErrorResponses.of(e.status(), new ErrorBody(e.code(), e.getMessage(), e.field(), null));
        if (e.status() == 401) {
            return Response.fromResponse(response)
                    .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"gitops-status\"").build();
        }
        return response;
    }
}
