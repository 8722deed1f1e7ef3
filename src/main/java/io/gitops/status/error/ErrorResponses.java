package io.gitops.status.error;

import io.gitops.status.api.ErrorBody;
import io.gitops.status.api.Refusal;
import io.gitops.status.api.Refusal.Kind;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;

/**
 * Builds every error response, so that each status carries the same code and body shape. The one
 * table from a kind of refusal to its HTTP status is here, and the codes of errors that Jersey or
 * the container raise are read back from it, so the two cannot disagree.
 */
public final class ErrorResponses {

    /** Kinds whose status Jersey or the container may raise on its own; each status names one kind. */
    private static final List<Kind> RAISED_BY_FRAMEWORK = List.of(Kind.UNAUTHORIZED, Kind.FORBIDDEN,
            Kind.NOT_FOUND, Kind.PAYLOAD_TOO_LARGE, Kind.UNSUPPORTED_MEDIA_TYPE, Kind.STORE_UNAVAILABLE);

    private ErrorResponses() {
    }

    /** The HTTP status of a kind of refusal. A new kind does not compile until it has one. */
    public static int statusOf(Kind kind) {
        return switch (kind) {
            case INVALID_JSON, VALIDATION_FAILED, UNKNOWN_PARAMETER -> 400;
            case UNAUTHORIZED -> 401;
            case FORBIDDEN -> 403;
            case NOT_FOUND -> 404;
            case LIMIT_EXCEEDED -> 409;
            case BODY_LIMIT_EXCEEDED, PAYLOAD_TOO_LARGE -> 413;
            case UNSUPPORTED_MEDIA_TYPE -> 415;
            case STORE_UNAVAILABLE -> 503;
        };
    }

    /** The error code for a status raised by Jersey or the container rather than by our code. */
    public static String codeFor(int status) {
        return switch (status) {
            case 400 -> "bad_request";
            case 405 -> "method_not_allowed";
            case 406 -> "not_acceptable";
            default -> RAISED_BY_FRAMEWORK.stream().filter(kind -> statusOf(kind) == status).findFirst()
                    .map(Kind::code)
                    .orElse(status >= 500 ? "internal_error" : "request_failed");
        };
    }

    /** A short message for a status raised by Jersey or the container. */
    public static String messageFor(int status) {
        return switch (status) {
            case 404 -> "no such resource";
            case 405 -> "method not allowed on this resource";
            case 406 -> "this resource cannot answer in the media type the Accept header asks for";
            case 413 -> "body is too large";
            case 415 -> Refusal.UNSUPPORTED_MEDIA_TYPE_MESSAGE;
            default -> "request failed with status " + status;
        };
    }

    public static Response of(int status, ErrorBody body) {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(body).build();
    }
}
