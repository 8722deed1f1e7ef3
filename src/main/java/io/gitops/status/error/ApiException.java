package io.gitops.status.error;

import jakarta.ws.rs.core.Response.Status;

/**
 * A request the service refuses, with the status, the error code and the message the client
 * sees. Thrown anywhere below a resource; {@link ApiExceptionMapper} turns it into the JSON body.
 */
public class ApiException extends RuntimeException {

    private final int status;
    private final String code;
    private final String field;

    public ApiException(int status, String code, String message, String field) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.field = field;
    }

    public static ApiException invalidJson(String message) {
        return new ApiException(400, "invalid_json", message, null);
    }

    public static ApiException validation(String field, String message) {
        return new ApiException(400, "validation_failed", message, field);
    }

    public static ApiException unknownParameter(String name, String message) {
        return new ApiException(400, "unknown_parameter", message, name);
    }

    public static ApiException unauthorized(String message) {
        return new ApiException(401, "unauthorized", message, null);
    }

    public static ApiException forbidden(String message) {
        return new ApiException(403, "forbidden", message, null);
    }

    public static ApiException notFound(String message) {
        return new ApiException(Status.NOT_FOUND.getStatusCode(), "not_found", message, null);
    }

    public static ApiException unsupportedMediaType() {
        return new ApiException(415, "unsupported_media_type", ErrorResponses.messageFor(415), null);
    }

    public static ApiException payloadTooLarge(int limit) {
        return new ApiException(413, "payload_too_large", "body is larger than " + limit + " bytes", null);
    }

    public static ApiException storeUnavailable(String reason) {
        return new ApiException(503, "store_unavailable", reason, null);
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public String field() {
        return field;
    }
}
