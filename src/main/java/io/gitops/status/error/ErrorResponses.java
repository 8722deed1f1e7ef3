package io.gitops.status.error;

import io.gitops.status.api.ErrorBody;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** Builds every error response, so that each status carries the same code and body shape. */
public final class ErrorResponses {

    private ErrorResponses() {
    }

    /** The error code for a status raised by Jersey or the container rather than by our code. */
    public static String codeFor(int status) {
        return switch (status) {
            case 400 -> "bad_request";
            case 401 -> "unauthorized";
            case 403 -> "forbidden";
            case 404 -> "not_found";
            case 405 -> "method_not_allowed";
            case 406 -> "not_acceptable";
            case 413 -> "payload_too_large";
            case 415 -> "unsupported_media_type";
            case 503 -> "store_unavailable";
            default -> status >= 500 ? "internal_error" : "request_failed";
        };
    }

    /** A short message for a status raised by Jersey or the container. */
    public static String messageFor(int status) {
        return switch (status) {
            case 404 -> "no such resource";
            case 405 -> "method not allowed on this resource";
            case 406 -> "this resource cannot answer in the media type the Accept header asks for";
            case 413 -> "body is too large";
            case 415 -> "send the body as Content-Type: application/json";
            default -> "request failed with status " + status;
        };
    }

    public static Response of(int status, ErrorBody body) {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(body).build();
    }
}
