package io.gitops.status.resource;

import io.gitops.status.api.Event;
import io.gitops.status.api.Refusal;
import io.gitops.status.api.Staleness;
import io.gitops.status.api.StatusRecord;
import io.gitops.status.api.Timestamps;
import io.gitops.status.api.Transition;
import io.gitops.status.config.AppConfig;
import io.gitops.status.store.StatusStore;
import io.gitops.status.update.AttributedUpdate;
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
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Predicate;

/**
 * {@code GET /events}: the status transitions of every host, oldest first, as rows for Grafana
 * annotations. {@code since} and {@code until} bound them (inclusive), each an ISO-8601 timestamp
 * or milliseconds since the epoch (Grafana's {@code ${__from}}); the list's filters select hosts.
 */
@Singleton
@Path("events")
@Produces(MediaType.APPLICATION_JSON)
public final class EventsResource {

    private static final Comparator<Event> ORDER = Comparator.comparing((Event e) -> Timestamps.instant(e.at()))
            .thenComparing(Event::serverGroup).thenComparing(Event::host);

    private final StatusStore store;
    private final Staleness staleness;
    private final int historySize;

    @Inject
    public EventsResource(StatusStore store, Staleness staleness, AppConfig config) {
        this.store = store;
        this.staleness = staleness;
        this.historySize = config.historySize();
    }

    @GET
    public Response events(@Context UriInfo uriInfo, @Context HttpHeaders headers) {
        MultivaluedMap<String, String> filters = new MultivaluedHashMap<>(uriInfo.getQueryParameters());
        Instant since = bound(filters.remove("since"), "since", Instant.MIN);
        Instant until = bound(filters.remove("until"), "until", Instant.MAX);
        Predicate<StatusRecord> hosts = RecordFilter.from(filters, staleness, staleness.now());
        List<Event> events = new ArrayList<>();
        for (StatusRecord record : store.all()) {
            if (hosts.test(record)) {
                for (Transition transition : AttributedUpdate.newest(record.history(), historySize)) {
                    Instant at = Timestamps.instant(transition.at());
                    if (at != null && !at.isBefore(since) && !at.isAfter(until)) {
                        events.add(Event.of(record, transition));
                    }
                }
            }
        }
        events.sort(ORDER);
        return Representation.of(events).respond(headers);
    }

    private static Instant bound(List<String> values, String name, Instant unset) {
        if (values == null || values.isEmpty()) {
            return unset;
        }
        if (values.size() > 1) {
            throw Refusal.validation(name, name + " may be given once");
        }
        String value = values.get(0).strip();
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
