package io.gitops.status.api;

/**
 * A request the service refuses, in the domain's words: what kind of refusal, the message the
 * client sees and, when one field or parameter is to blame, its name. Thrown by the update rules,
 * the store, the JSON reader and access checks; nothing below the HTTP layer knows the status
 * code, which {@code error/} derives from the {@link Kind} in one table.
 */
public class Refusal extends RuntimeException {

    /** The kinds of refusal, each with the error code that the JSON body carries. */
    public enum Kind {
        INVALID_JSON("invalid_json"),
        VALIDATION_FAILED("validation_failed"),
        UNKNOWN_PARAMETER("unknown_parameter"),
        UNAUTHORIZED("unauthorized"),
        FORBIDDEN("forbidden"),
        NOT_FOUND("not_found"),
        /** A configured cap that the store as a whole would pass (hosts, ...). */
        LIMIT_EXCEEDED("limit_exceeded"),
        /** A configured cap that one body alone passes: the same code, answered as too large. */
        BODY_LIMIT_EXCEEDED("limit_exceeded"),
        PAYLOAD_TOO_LARGE("payload_too_large"),
        UNSUPPORTED_MEDIA_TYPE("unsupported_media_type"),
        STORE_UNAVAILABLE("store_unavailable");

        private final String code;

        Kind(String code) {
            this.code = code;
        }

        public String code() {
            return code;
        }
    }

    /** What a body sent with another media type is told; also the framework's own 415. */
    public static final String UNSUPPORTED_MEDIA_TYPE_MESSAGE = "send the body as Content-Type: application/json";

    private final Kind kind;
    private final String field;

    protected Refusal(Kind kind, String message, String field) {
        super(message, null, false, false); // a refusal is an answer, not a fault: no stack trace
        this.kind = kind;
        this.field = field;
    }

    public static Refusal invalidJson(String message) {
        return new Refusal(Kind.INVALID_JSON, message, null);
    }

    public static Refusal validation(String field, String message) {
        return new Refusal(Kind.VALIDATION_FAILED, message, field);
    }

    public static Refusal unknownParameter(String name, String message) {
        return new Refusal(Kind.UNKNOWN_PARAMETER, message, name);
    }

    public static Refusal unauthorized(String message) {
        return new Refusal(Kind.UNAUTHORIZED, message, null);
    }

    public static Refusal forbidden(String message) {
        return new Refusal(Kind.FORBIDDEN, message, null);
    }

    public static Refusal notFound(String message) {
        return new Refusal(Kind.NOT_FOUND, message, null);
    }

    /** A configured cap would be passed; {@code limitName} is the setting, reported as the field. */
    public static Refusal limitExceeded(String limitName, String message) {
        return new Refusal(Kind.LIMIT_EXCEEDED, message, limitName);
    }

    /** One body alone passes a configured cap; {@code limitName} is the setting, reported as the field. */
    public static Refusal bodyLimitExceeded(String limitName, String message) {
        return new Refusal(Kind.BODY_LIMIT_EXCEEDED, message, limitName);
    }

    public static Refusal unsupportedMediaType() {
        return new Refusal(Kind.UNSUPPORTED_MEDIA_TYPE, UNSUPPORTED_MEDIA_TYPE_MESSAGE, null);
    }

    public static Refusal payloadTooLarge(int limit) {
        return new Refusal(Kind.PAYLOAD_TOO_LARGE, "body is larger than " + limit + " bytes", null);
    }

    public Kind kind() {
        return kind;
    }

    /** The error code of the JSON body. */
    public String code() {
        return kind.code();
    }

    /** The field or parameter to blame; {@code null} when none is. */
    public String field() {
        return field;
    }
}
