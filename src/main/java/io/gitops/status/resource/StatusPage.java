package io.gitops.status.resource;

import jakarta.inject.Singleton;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.EntityTag;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Request;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriBuilder;
import jakarta.ws.rs.core.UriInfo;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The status page's own files, read from the classpath ({@code io/gitops/status/ui/}) of the WAR,
 * so that they are served the same way in Tomcat, Jetty and JerseyTest: Jersey is mapped at
 * {@code /*}, and no container's default servlet is ever reached. {@code GET /} answers
 * {@code index.html} to a browser ({@link ServiceResource}); the page loads the rest from
 * {@code ui/NAME} by relative URLs, so it works under any context path.
 *
 * <p>Every file carries a strong {@code ETag} (a hash of its bytes) and, like every answer,
 * {@code Cache-Control: no-cache}: the names carry no version, so a browser revalidates and gets a
 * 304 until a new WAR brings new files. Files are loaded once and kept for the class's life, the web application's (a few KiB in all). The
 * page needs no token ({@link AuthFilter} lets {@link #isPageRequest} through): only its data
 * does, and the page asks for it.
 */
@Singleton
@Path("ui")
public final class StatusPage {

    /** One file name, no folder: nothing else of the classpath can be named. */
    private static final Pattern FILE = Pattern.compile("[a-z0-9-]+\\.(html|css|js|svg)");
    private static final String FOLDER = "/io/gitops/status/ui/";
    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html;charset=utf-8",
            "css", "text/css;charset=utf-8",
            "js", "text/javascript;charset=utf-8",
            "svg", "image/svg+xml;charset=utf-8");
    /** The page runs only its own files and talks only to this service. */
    private static final String CONTENT_SECURITY_POLICY = "default-src 'self'; img-src 'self' data:; "
            + "frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
    /**
     * The {@code Accept} that Java's {@code HttpURLConnection} sends when told nothing (JDK 17 and
     * later, then earlier JDKs): it names {@code text/html}, a relic of applets, though its
     * clients want data, so they keep getting JSON.
     */
    private static final Set<String> JAVA_DEFAULT_ACCEPTS = Set.of("text/html, image/gif, image/jpeg, */*; q=0.2",
            "text/html, image/gif, image/jpeg, *; q=.2, */*; q=.2");
    private static final Pattern QUALITY = Pattern.compile(";\\s*q\\s*=\\s*([0-9.]+)");

    /** The page's files once read; only files that exist, so that no request can grow it. */
    private static final Map<String, PageFile> FILES = new ConcurrentHashMap<>();

    @GET
    @Path("{file}")
    public Response file(@PathParam("file") String name, @Context Request request) {
        return serve(name, request);
    }

    /**
     * {@code index.html}, for {@link ServiceResource}'s {@code GET /}. Tomcat serves
     * {@code /gitops-status} itself to the application at {@code /*}, where the page's relative
     * URLs would name {@code /ui/...} outside the context: that address is redirected to
     * {@code /gitops-status/} first (the browser keeps the fragment, the view's state).
     */
    static Response page(Request request, UriInfo uri) {
        if (!uri.getRequestUri().getRawPath().endsWith("/")) {
            URI withSlash = UriBuilder.fromUri(uri.getRequestUri()).replacePath(uri.getRequestUri().getRawPath() + "/").build();
            return Response.status(Response.Status.FOUND).location(withSlash).build();
        }
        return serve("index.html", request);
    }

    /**
     * Whether {@code GET /} with this {@code Accept} answers the page: when the client names
     * {@code text/html} or {@code application/xhtml+xml} and gives it a higher quality than it
     * gives JSON (directly or through a wildcard), as a browser's navigation does. On a tie, and
     * with no {@code Accept} at all (curl's {@code *}{@code /*}), the JSON description wins, as
     * before the page existed.
     */
    static boolean wanted(String accept) {
        if (accept == null || JAVA_DEFAULT_ACCEPTS.contains(accept.strip())) {
            return false;
        }
        double html = 0;
        double json = 0;
        for (String range : accept.toLowerCase(Locale.ROOT).split(",")) {
            String type = range.split(";", 2)[0].strip();
            Matcher q = QUALITY.matcher(range);
            double quality = q.find() ? parseQuality(q.group(1)) : 1;
            if (type.equals("text/html") || type.equals("application/xhtml+xml")) {
                html = Math.max(html, quality);
            } else if (type.equals("application/json") || type.equals("application/*") || type.equals("*/*")
                    || type.equals("*")) {
                json = Math.max(json, quality);
            }
        }
        return html > json;
    }

    private static double parseQuality(String value) {
        try {
            return Double.parseDouble(value);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /**
     * Whether a request is for the page rather than the data: a read of {@code ui/NAME}, or of
     * {@code /} by a client that prefers HTML to JSON ({@link #wanted}, as {@code GET /} decides).
     * {@code path} is the request path relative to the application, without slashes around it.
     */
    static boolean isPageRequest(ContainerRequestContext request, String path) {
        if (path.startsWith("ui/")) {
            return FILE.matcher(path.substring(3)).matches();
        }
        return path.isEmpty() && wanted(request.getHeaderString(HttpHeaders.ACCEPT));
    }

    private static Response serve(String name, Request request) {
        PageFile file = FILES.get(name);
        if (file == null) {
            file = load(name).orElseThrow(() -> new NotFoundException("no file " + name + " in the status page"));
            FILES.putIfAbsent(name, file);
        }
        Response.ResponseBuilder notModified = request.evaluatePreconditions(file.tag());
        if (notModified != null) {
            return notModified.build();
        }
        return Response.ok(file.bytes(), file.type())
                .tag(file.tag())
                .header("X-Content-Type-Options", "nosniff")
                .header("Content-Security-Policy", CONTENT_SECURITY_POLICY)
                .build();
    }

    /** How many files are kept read, for the test that misses do not add to them. */
    static int cachedFiles() {
        return FILES.size();
    }

    private static Optional<PageFile> load(String name) {
        if (!FILE.matcher(name).matches()) {
            return Optional.empty();
        }
        try (InputStream in = StatusPage.class.getResourceAsStream(FOLDER + name)) {
            if (in == null) {
                return Optional.empty();
            }
            byte[] bytes = in.readAllBytes();
            String extension = name.substring(name.lastIndexOf('.') + 1);
            return Optional.of(new PageFile(bytes, MediaType.valueOf(TYPES.get(extension)), new EntityTag(hash(bytes))));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String hash(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes), 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private record PageFile(byte[] bytes, MediaType type, EntityTag tag) {
    }
}
