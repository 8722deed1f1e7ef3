package io.gitops.status.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonInclude.Include;

/** The one error body of the service; {@code field} and {@code id} appear only when set. */
@JsonInclude(Include.NON_NULL)
public record ErrorBody(String error, String message, String field, String id) {

    public ErrorBody(String error, String message) {
        this(error, message, null, null);
    }
}
