package io.gitops.status.resource;

import io.gitops.status.api.EventKey;
import io.gitops.status.api.Refusal;
import io.gitops.status.api.Staleness;
import io.gitops.status.api.StatusRecord;
import io.gitops.status.config.AppConfig;
import io.gitops.status.store.EventQuery;
import io.gitops.status.store.EventSlice;
import io.gitops.status.store.StatusStore;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedHashMap;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import io.gitops.status.api.Timestamps;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.function.Predicate;

/**
 * {@code GET /events}: the status transitions of every host, oldest first, as rows for Grafana
 * annotations, a page at a time. {@code since} and {@code until} bound them (inclusive), each an
 * ISO-8601 timestamp or milliseconds since the epoch (Grafana's {@code ${__from}}); the list's
 * filters select hosts. A page holds at most {@code limit} rows (default {@value #DEFAULT_LIMIT},
 * at most {@value #MAX_LIMIT}); when more remain, the {@code Link: <...>; rel="next"} header
 * (RFC 8288) names the next page, and {@code format=page} wraps the rows as
 * {@code {"rows": [...], "next_cursor": "..."}} for Grafana Infinity's cursor pagination.
 */
@Singleton
@Path("events")
@Produces(MediaType.APPLICATION_JSON)
public final class EventsResource {

    static final int DEFAULT_LIMIT = 1000;
    static final int MAX_LIMIT = 10_000;
    private static final String LIMIT = "limit";
    private static final String FORMAT = "format";
    private static final String PAGE_FORMAT = "page";

    private final StatusStore store;
    private final Staleness staleness;
    private final int historySize;
    private final Streamed pages;

    @Inject
    public EventsResource(StatusStore store, Staleness staleness, AppConfig config) {
        this.store = store;
        this.staleness = staleness;
        this.historySize = config.historySize();
        this.pages = new Streamed(staleness);
    }

    @GET
    public Response events(@Context UriInfo uriInfo, @Context HttpHeaders headers) {
        MultivaluedMap<String, String> query = uriInfo.getQueryParameters();
        MultivaluedMap<String, String> filters = new MultivaluedHashMap<>(query);
        long since = millis(bound(filters.remove("since"), "since", Instant.MIN), true);
        long until = millis(bound(filters.remove("until"), "until", Instant.MAX), false);
        int limit = limit(filters.remove(LIMIT));
        List<String> cursor = filters.remove(EventCursor.PARAMETER);
        EventKey after = cursor == null ? null : EventCursor.decode(once(cursor, EventCursor.PARAMETER));
        boolean envelope = envelope(filters.remove(FORMAT));
        Instant now = staleness.now();
        Predicate<StatusRecord> hosts = RecordFilter.from(filters, staleness, now);
        List<StatusRecord> records = store.all();
        Streamed.Reply reply = pages.respond(headers, TagCache.key("events", query), records, now,
                RecordFilter.usesClock(filters), () -> {
                    EventSlice page = store.events(records, new EventQuery(hosts, since, until, after, limit,
                            historySize));
                    return new Streamed.Answer(EventPage.body(page, envelope),
                            page.next() == null ? null : EventCursor.encode(page.next()));
                });
        if (reply.next() != null) {
            URI next = uriInfo.getRequestUriBuilder().replaceQueryParam(EventCursor.PARAMETER, reply.next()).build();
            reply.response().header("Link", "<" + next + ">; rel=\"next\"");
        }
        return reply.response().build();
    }

    private static int limit(List<String> values) {
        if (values == null) {
            return DEFAULT_LIMIT;
        }
        String value = once(values, LIMIT).strip();
        int limit;
        try {
            limit = Integer.parseInt(value);
        } catch (NumberFormatException e) {
            limit = value.matches("\\d+") ? Integer.MAX_VALUE : 0;
        }
        if (limit < 1 || limit > MAX_LIMIT) {
            throw Refusal.validation(LIMIT, "limit must be a whole number from 1 to " + MAX_LIMIT
                    + "; follow the Link header (rel=\"next\") for more");
        }
        return limit;
    }

    private static boolean envelope(List<String> values) {
        if (values == null) {
            return false;
        }
        if (!once(values, FORMAT).equals(PAGE_FORMAT)) {
            throw Refusal.validation(FORMAT, "format must be page (rows and next_cursor in an object), or absent");
        }
        return true;
    }

    private static String once(List<String> values, String name) {
        if (values.size() > 1) {
            throw Refusal.validation(name, name + " may be given once");
        }
        return values.get(0);
    }

    /** Epoch milliseconds of a bound: a lower one rounded up, an upper one down, so both stay inclusive. */
    private static long millis(Instant bound, boolean lower) {
        if (bound.equals(Instant.MIN) || bound.equals(Instant.MAX)) {
            return lower ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
        long millis = bound.toEpochMilli();
        return lower && bound.getNano() % 1_000_000 != 0 ? millis + 1 : millis;
    }

    private static Instant bound(List<String> values, String name, Instant unset) {
        if (values == null || values.isEmpty()) {
            return unset;
        }
        String value = once(values, name).strip();
        if (value.matches("\\d{1,15}")) {
            return Instant.ofEpochMilli(Long.parseLong(value));
        }
        try {
            return Instant.parse(Timestamps.normalize(value));
        } catch (IllegalArgumentException e) {
            throw Refusal.validation(name, name + " " + e.getMessage());
        }
    }
}
