package io.gitops.status.error;

import io.gitops.status.api.ErrorBody;
import io.gitops.status.json.Json;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * The web application's error page (see {@code web.xml}): errors that the container raises
 * itself inside our context are answered with our JSON body instead of the container's HTML page.
 * Called directly, it answers 404 like any unknown path.
 */
public final class ErrorServlet extends HttpServlet {

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        int status = code instanceof Integer i ? i : 404;
        ErrorBody body = status >= 500
                ? new ErrorBody("internal_error", "internal error; see the server log")
                : new ErrorBody(ErrorResponses.codeFor(status), ErrorResponses.messageFor(status));
        response.setStatus(status);
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        response.setHeader("Cache-Control", "no-cache");
        Json.mapper().writeValue(response.getOutputStream(), body);
    }
}
