package io.gitops.status.app;

import io.gitops.status.resource.AdminResource;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.servlet.ServletContainer;

/**
 * Jersey's servlet, which also fails the request when an answer was cut short after its first
 * bytes had been sent ({@link AdminResource#CUT_SHORT}). Jersey itself only logs such a failure
 * and ends the response normally: a chunked answer gets its last chunk, and the client takes the
 * truncated export for a complete one. An exception out of the servlet once the response is
 * committed makes the container (Tomcat, Jetty) close the connection instead, so the client's
 * transfer fails (curl: exit 18) and nobody keeps half a backup by mistake.
 */
final class JerseyServlet extends ServletContainer {

    private static final long serialVersionUID = 1L;

    JerseyServlet(ResourceConfig application) {
        super(application);
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response)
            throws ServletException, IOException {
        super.service(request, response);
        if (request.getAttribute(AdminResource.CUT_SHORT) instanceof Throwable failure) {
            throw new ServletException("the answer to " + request.getRequestURI() + " was cut short", failure);
        }
    }
}
