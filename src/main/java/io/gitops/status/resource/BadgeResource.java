package io.gitops.status.resource;

import io.gitops.status.api.Condition;
import io.gitops.status.api.Staleness;
import io.gitops.status.api.StatusRecord;
import io.gitops.status.json.Json;
import io.gitops.status.store.StatusStore;
import io.gitops.status.update.BodyFields;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Optional;

/**
 * Status badges for a README: the fleet, a server group or one host, as an SVG drawn here (many
 * users run offline, so no shields.io) or as the shields.io endpoint schema ({@code .json}). The
 * message is the worst {@link Condition}; for the fleet and a group, with the number of hosts in
 * it ("3 out of sync", "12 synced").
 *
 * <p>A badge is answered in the format its path asks for even when it is not a status, so that an
 * {@code <img>} never shows a broken image: an unknown group or host is a grey "unknown" badge
 * with 404, a name that breaks the input rules or a bad {@code ?label=} a grey badge with 400.
 * Other query parameters are ignored: READMEs cache-bust badge URLs ({@code ?v=2}) freely. Tokens
 * ({@code ?token=} among them) are {@link AuthFilter}'s business.
 */
@Singleton
@Path("")
public final class BadgeResource {

    static final MediaType SVG = new MediaType("image", "svg+xml", "utf-8");
    /**
     * Badges may be kept a minute, where every other answer is revalidated each time: GitHub's
     * camo proxy and browsers then fetch a README's badges at most once a minute, and a badge is
     * at most a minute late, which drift checks run every few minutes cannot tell. It is safe for
     * shared caches: a badge behind a token is stored by URL, token included, so it is served only
     * to whoever has that URL, who could fetch it from here anyway; and one asked for with an
     * {@code Authorization} header is never stored by a shared cache (RFC 9111, section 3.5).
     */
    static final String CACHE_CONTROL = "max-age=60";
    static final String FLEET_LABEL = "gitops";
    static final int MAX_LABEL_LENGTH = 64;

    private final StatusStore store;
    private final Staleness staleness;
    private final BadgeTallies tallies;

    @Inject
    public BadgeResource(StatusStore store, Staleness staleness) {
        this.store = store;
        this.staleness = staleness;
        this.tallies = new BadgeTallies(staleness);
    }

    @GET
    @Path("badge.svg")
    public Response fleetSvg(@QueryParam("label") String label, @Context HttpHeaders headers) {
        return svg(fleet(label), headers);
    }

    @GET
    @Path("badge.json")
    public Response fleetJson(@QueryParam("label") String label, @Context HttpHeaders headers) {
        return json(fleet(label), headers);
    }

    @GET
    @Path("badge/{server_group}.svg")
    public Response groupSvg(@PathParam("server_group") String group, @QueryParam("label") String label,
            @Context HttpHeaders headers) {
        return svg(group(group, label), headers);
    }

    @GET
    @Path("badge/{server_group}.json")
    public Response groupJson(@PathParam("server_group") String group, @QueryParam("label") String label,
            @Context HttpHeaders headers) {
        return json(group(group, label), headers);
    }

    @GET
    @Path("badge/{server_group}/{host}.svg")
    public Response hostSvg(@PathParam("server_group") String group, @PathParam("host") String host,
            @QueryParam("label") String label, @Context HttpHeaders headers) {
        return svg(host(group, host, label), headers);
    }

    @GET
    @Path("badge/{server_group}/{host}.json")
    public Response hostJson(@PathParam("server_group") String group, @PathParam("host") String host,
            @QueryParam("label") String label, @Context HttpHeaders headers) {
        return json(host(group, host, label), headers);
    }

    /** A badge and the HTTP status it is answered with. */
    record Answer(int status, Badge badge) {
        static Answer ok(Badge badge) {
            return new Answer(200, badge);
        }
    }

    private Answer fleet(String label) {
        return checkedLabel(label).orElseGet(() -> {
            BadgeTallies.Tally fleet = tallies.of(store.all(), staleness.now()).fleet();
            if (fleet.total() == 0) {
                return Answer.ok(Badge.of(labelOr(label, FLEET_LABEL), "no servers", Condition.UNKNOWN));
            }
            return Answer.ok(counted(labelOr(label, FLEET_LABEL), fleet));
        });
    }

    private Answer group(String group, String label) {
        return checkedNames(label, group).orElseGet(() -> {
            BadgeTallies.Tally tally = tallies.of(store.all(), staleness.now()).groups().get(group);
            return tally == null ? unknown(labelOr(label, group)) : Answer.ok(counted(labelOr(label, group), tally));
        });
    }

    private Answer host(String group, String host, String label) {
        return checkedNames(label, group, host).orElseGet(() -> {
            String shown = labelOr(label, group + "/" + host);
            Optional<StatusRecord> record = store.find(group, host);
            if (record.isEmpty()) {
                return unknown(shown);
            }
            Condition condition = Condition.of(record.get().status(),
                    staleness.isStale(record.get(), staleness.now()));
            return Answer.ok(Badge.of(shown, condition.text(), condition));
        });
    }

    /** "3 out of sync": the hosts in the worst condition there is. */
    private static Badge counted(String label, BadgeTallies.Tally tally) {
        Condition worst = tally.worst();
        return Badge.of(label, tally.count(worst) + " " + worst.text(), worst);
    }

    private static Answer unknown(String label) {
        return new Answer(404, Badge.error(label, "unknown"));
    }

    /** A refusal badge when a name breaks the input rules or the label is unusable; empty when all is well. */
    private static Optional<Answer> checkedNames(String label, String... names) {
        for (String name : names) {
            if (!BodyFields.isIdentity(name)) {
                return Optional.of(new Answer(400, Badge.error(FLEET_LABEL, "invalid name")));
            }
        }
        return checkedLabel(label);
    }

    /**
     * {@code ?label=}: 1 to {@value #MAX_LABEL_LENGTH} characters, none of them a control or
     * formatting character (a right-to-left override could make a badge read as another's).
     */
    private static Optional<Answer> checkedLabel(String label) {
        if (label == null) {
            return Optional.empty();
        }
        boolean usable = !label.isEmpty() && label.codePointCount(0, label.length()) <= MAX_LABEL_LENGTH
                && label.codePoints().noneMatch(BadgeResource::unusable);
        return usable ? Optional.empty() : Optional.of(new Answer(400, Badge.error(FLEET_LABEL, "invalid label")));
    }

    private static boolean unusable(int codePoint) {
        int type = Character.getType(codePoint);
        return Character.isISOControl(codePoint) || type == Character.FORMAT || type == Character.SURROGATE
                || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR
                || codePoint == 0xFFFE || codePoint == 0xFFFF; // not allowed in XML
    }

    private static String labelOr(String label, String otherwise) {
        return label == null ? otherwise : label;
    }

    private static Response svg(Answer answer, HttpHeaders headers) {
        return respond(answer, answer.badge().svg(), SVG, headers);
    }

    private static Response json(Answer answer, HttpHeaders headers) {
        try {
            return respond(answer, Json.mapper().writeValueAsBytes(answer.badge().shieldsJson()),
                    MediaType.APPLICATION_JSON_TYPE, headers);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A status badge with its tag (304 on a match); a refusal badge as it is. */
    private static Response respond(Answer answer, byte[] body, MediaType type, HttpHeaders headers) {
        Response.ResponseBuilder response = answer.status() == 200
                ? Response.fromResponse(Representation.of(body, type).respond(headers))
                : Response.status(answer.status()).entity(body).type(type);
        return response.header(HttpHeaders.CACHE_CONTROL, CACHE_CONTROL).build();
    }
}
