package io.gitops.status.error;

import io.gitops.status.api.ErrorBody;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Anything unexpected: a 500 whose body carries an id that is also logged with the stack trace,
 * so an operator can find the cause while the client never sees internals.
 */
@Provider
public final class UnexpectedExceptionMapper implements ExceptionMapper<Throwable> {

    private static final Logger LOG = Logger.getLogger(UnexpectedExceptionMapper.class.getName());

    @Override
    public Response toResponse(Throwable e) {
        return internalError(e);
    }

    static Response internalError(Throwable e) {
        String id = UUID.randomUUID().toString();
        LOG.log(Level.SEVERE, "internal error " + id, e);
        return ErrorResponses.of(500, new ErrorBody("internal_error",
                "internal error; the server log has the details under this id", null, id));
    }
}
