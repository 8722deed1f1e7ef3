package io.gitops.status.resource;

import io.gitops.status.api.Refusal;
import io.gitops.status.auth.Access;
import io.gitops.status.auth.Token;
import io.gitops.status.auth.Tokens;
import jakarta.annotation.Priority;
import jakarta.inject.Inject;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.PathSegment;
import jakarta.ws.rs.core.SecurityContext;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.ext.Provider;
import java.security.Principal;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Authentication, before the request is matched to a resource (so a wrong media type or method
 * tells nothing to a client without a token) and before any body is read: when a token file is
 * configured, every write needs a
 * valid {@code Authorization: Bearer} token (401 otherwise), and so does every read except
 * {@code /health}, {@code /ready} and {@code /openapi.json} once some token has the {@code read}
 * scope (403 for a token without it). The status page's own files ({@link StatusPage}) are open too:
 * the page asks for the token that its data needs. Which server groups a write may touch is decided where the group is known,
 * by {@link Access}.
 *
 * <p>The admin paths ({@code /admin/...}, {@link AdminResource}) need a token with the {@code admin}
 * scope whenever tokens are on, whether or not reads need one: an export holds every record of
 * every group, so it stays closed even while reads are open to anyone. The {@code admin} scope
 * grants nothing else.
 *
 * <p>Badges also take a token with the {@code badge} scope, which reads nothing else, and take it
 * from {@code ?token=} as well, since an {@code <img>} in a README cannot send a header. A token
 * in a URL leaks (access logs, browser history, the source of the page that embeds it), so one is
 * accepted there only on a badge path and only when badges are all it may see
 * ({@link Token#badgesOnly()}): a leaked badge URL then tells the worst status and nothing else.
 */
@Provider
@PreMatching
@Priority(Priorities.AUTHENTICATION)
public final class AuthFilter implements ContainerRequestFilter {

    private static final Set<String> READS = Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS);
    /**
     * Probes must work without credentials: kubelets and load balancers send none. The OpenAPI
     * document holds no data, only what the repository publishes anyway, and the tools that load
     * it (Swagger UI, Redoc, code generators) fetch it before anyone can give them a token.
     */
    private static final Set<String> OPEN_PATHS = Set.of("health", "ready", "openapi.json");
    /** The paths of {@link BadgeResource}, exactly: a token in the URL is taken on these alone. */
    private static final Pattern BADGE_PATHS = Pattern.compile("badge(/[^/]+){0,2}\\.(svg|json)");

    private final Tokens tokens;

    @Inject
    public AuthFilter(Tokens tokens) {
        this.tokens = tokens;
    }

    @Override
    public void filter(ContainerRequestContext request) {
        String path = stripSlashes(request.getUriInfo().getPath());
        boolean read = READS.contains(request.getMethod());
        // The status page's own files are open: the page asks for the token its data needs.
        if (!tokens.enabled() || OPEN_PATHS.contains(path) || (read && StatusPage.isPageRequest(request, path))) {
            return;
        }
        boolean admin = isAdminPath(request.getUriInfo());
        if (read && !admin && !tokens.readRequired()) {
            return;
        }
        boolean badge = read && BADGE_PATHS.matcher(path).matches();
        String presented = bearer(request.getHeaderString(HttpHeaders.AUTHORIZATION));
        boolean inUrl = false;
        if (presented.isEmpty() && badge) {
            presented = Optional.ofNullable(request.getUriInfo().getQueryParameters().getFirst("token")).orElse("");
            inUrl = !presented.isEmpty();
        }
        Token token = (presented.isEmpty() ? Optional.<Token>empty() : tokens.authenticate(presented))
                .orElseThrow(() -> Refusal.unauthorized(whatToSend(admin, badge, read)));
        if (inUrl && !token.badgesOnly()) {
            throw Refusal.forbidden("token " + token.getName() + " may not be sent in a URL: only a token whose "
                    + "only scope is badge may");
        }
        if (admin && !token.mayAdminister()) {
            throw Refusal.forbidden("token " + token.getName() + " has no admin scope");
        }
        if (read && !admin && !(badge ? token.mayReadBadges() : token.mayRead())) {
            throw Refusal.forbidden("token " + token.getName() + (badge ? " has neither the read nor the badge scope"
                    : " has no read scope"));
        }
        SecurityContext original = request.getSecurityContext();
        request.setSecurityContext(new SecurityContext() {
            @Override
            public Principal getUserPrincipal() {
                return token;
            }

            @Override
            public boolean isUserInRole(String role) {
                return false;
            }

            @Override
            public boolean isSecure() {
                return original.isSecure();
            }

            @Override
            public String getAuthenticationScheme() {
                return "Bearer";
            }
        });
    }

    /** What a request without a valid token is told to send. */
    private static String whatToSend(boolean admin, boolean badge, boolean read) {
        if (admin) {
            return "the admin endpoints need Authorization: Bearer <token> with a token that has the admin scope";
        }
        if (badge) {
            return "a badge needs a token with the read or badge scope: Authorization: Bearer <token>, "
                    + "or ?token=<token> for a token whose only scope is badge";
        }
        return read ? "reading needs Authorization: Bearer <token> with a token that has the read scope"
                : "writing needs Authorization: Bearer <token> with a token from the token file";
    }

    /**
     * Whether the path is in the {@code admin/} tree, served or not: a client without the scope
     * learns nothing from a 404 or 405 there either. Read from the decoded segments without their
     * matrix parameters, as Jersey matches them ({@code admin;x=1/export} is the export too): the
     * other checks here fail closed on an odd spelling, this one would fail open.
     */
    private static boolean isAdminPath(UriInfo uri) {
        return uri.getPathSegments().stream().map(PathSegment::getPath).filter(segment -> !segment.isEmpty())
                .findFirst().filter(AdminResource.PATH::equals).isPresent();
    }

    /** Jersey serves {@code /health/} like {@code /health}. */
    private static String stripSlashes(String path) {
        int start = 0;
        int end = path.length();
        while (start < end && path.charAt(start) == '/') {
            start++;
        }
        while (end > start && path.charAt(end - 1) == '/') {
            end--;
        }
        return path.substring(start, end);
    }

    /** The token of a {@code Bearer} authorization; an empty string (never looked up) otherwise. */
    private static String bearer(String authorization) {
        if (authorization == null) {
            return "";
        }
        String value = authorization.strip();
        int space = value.indexOf(' ');
        if (space < 0 || !value.substring(0, space).equalsIgnoreCase("Bearer")) {
            return "";
        }
        return value.substring(space + 1).strip();
    }
}
