package io.gitops.status.resource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.gitops.status.api.StatusRecord;
import io.gitops.status.api.Transition;
import jakarta.ws.rs.client.WebTarget;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /events} a page at a time: at most {@code limit} rows, oldest first, ties ordered by
 * server group, host and position in the history, and a continuation (Link header, or
 * {@code next_cursor} with {@code format=page}) that resumes exactly after the last row.
 */
class EventPagingTest extends ApiTestSupport {

    private static final Pattern NEXT = Pattern.compile("<([^>]*)>;\\s*rel=\"next\"");
    private static final String[] TIMES = {"2020-01-01T10:00:00Z", "2020-01-01T10:00:00Z", "2020-01-01T10:00:01Z",
        "2020-01-01T10:00:01Z", "2020-01-01T09:59:59.500Z"};
    private static final String[] STATUSES = {"synced", "failed", "synced", "out_of_sync", "synced"};

    /**
     * Groups a and b, hosts h1 to h3, five transitions each: two pairs of them share a second
     * within one host, all hosts share those seconds, and the last one is older than the rest.
     */
    private List<String> seed() {
        List<StatusRecord> records = new ArrayList<>();
        List<String[]> expected = new ArrayList<>();
        for (String group : List.of("b", "a")) {
            for (String host : List.of("h3", "h1", "h2")) {
                List<Transition> history = new ArrayList<>();
                String from = null;
                for (int i = 0; i < TIMES.length; i++) {
                    history.add(new Transition(TIMES[i], from, STATUSES[i], "cron", null, i));
                    expected.add(new String[] {TIMES[i], group, host, String.valueOf(i)});
                    from = STATUSES[i];
                }
                records.add(new StatusRecord(group, host, null, null, null, null, from, List.of(), null, null, null,
                        null, null, null, null, null, "2020-01-01T10:00:01Z", null, history));
            }
        }
        storeDirectly(records.toArray(StatusRecord[]::new));
        expected.sort(Comparator.comparing((String[] e) -> Instant.parse(e[0])).thenComparing(e -> e[1])
                .thenComparing(e -> e[2]).thenComparing(e -> Integer.parseInt(e[3])));
        return expected.stream().map(e -> e[0] + " " + e[1] + "/" + e[2] + " #" + e[3]).toList();
    }

    private static String line(JsonNode event) {
        return Instant.parse(event.get("at").textValue()) + " " + event.get("server_group").textValue() + "/"
                + event.get("host").textValue() + " #" + event.get("changed_files_count").intValue();
    }

    /** Every row of a walk from {@code first} with {@code limit} that follows Link rel="next". */
    private List<String> walk(WebTarget first, int limit) {
        return walkFrom(first.queryParam("limit", limit), limit);
    }

    private List<String> walkFrom(WebTarget first, int limit) {
        List<String> rows = new ArrayList<>();
        WebTarget page = first;
        for (int pages = 0; page != null; pages++) {
            assertTrue(pages < 100, "the walk ends");
            try (Response response = page.request().get()) {
                assertEquals(200, response.getStatus());
                JsonNode events = answer(response).json();
                assertTrue(events.size() <= limit, events.toString());
                events.forEach(e -> rows.add(line(e)));
                String link = response.getHeaderString("Link");
                if (link == null) {
                    page = null;
                } else {
                    Matcher next = NEXT.matcher(link);
                    assertTrue(next.matches(), link);
                    URI uri = URI.create(next.group(1));
                    assertTrue(uri.isAbsolute(), link);
                    assertEquals(limit, events.size(), "only the last page is short");
                    page = client().target(uri);
                }
            }
        }
        return rows;
    }

    @Test
    void pagesOfAnyLimitWalkEveryEventOnceInOrderTiesIncluded() {
        List<String> expected = seed();
        assertEquals(30, expected.size());
        for (int limit : List.of(1, 2, 3, 4, 7, 29, 30, 31, 1000)) {
            assertEquals(expected, walk(target("events"), limit), "limit " + limit);
        }
    }

    @Test
    void theLinkKeepsTheOtherParameters() {
        List<String> expected = seed();
        List<String> groupA = expected.stream().filter(e -> e.contains(" a/")).filter(e -> !e.startsWith("2020-01-01T09"))
                .toList();
        assertEquals(groupA, walk(target("events").queryParam("server_group", "a").queryParam("since",
                "2020-01-01T10:00:00Z"), 4));
    }

    @Test
    void theEnvelopeCarriesTheCursorForGrafanaInfinity() {
        List<String> expected = seed();
        List<String> rows = new ArrayList<>();
        String cursor = null;
        do {
            WebTarget page = target("events").queryParam("format", "page").queryParam("limit", 7);
            if (cursor != null) {
                page = page.queryParam("cursor", cursor);
            }
            Answer a = answer(page.request().get());
            assertEquals(200, a.status(), a.body());
            JsonNode body = a.json();
            assertEquals(List.of("rows", "next_cursor"), names(body));
            body.get("rows").forEach(e -> rows.add(line(e)));
            cursor = body.get("next_cursor").isNull() ? null : body.get("next_cursor").textValue();
        } while (cursor != null);
        assertEquals(expected, rows);
    }

    @Test
    void writesBetweenPagesNeitherRepeatNorSkipEvents() {
        List<String> expected = seed();
        List<String> rows = new ArrayList<>();
        URI next;
        try (Response first = target("events").queryParam("limit", 4).request().get()) {
            answer(first).json().forEach(e -> rows.add(line(e)));
            Matcher link = NEXT.matcher(first.getHeaderString("Link"));
            assertTrue(link.matches());
            next = URI.create(link.group(1));
        }
        pipelineOk("{\"server_group\":\"a\",\"host\":\"h1\",\"status\":\"failed\"}"); // a new, newest event
        List<String> rest = walkFrom(client().target(next), 4);
        rows.addAll(rest.subList(0, rest.size() - 1));
        assertEquals(expected, rows);
        assertTrue(rest.get(rest.size() - 1).contains(" a/h1 "), rest.toString());
    }

    @Test
    void theDefaultLimitIsAThousand() {
        List<StatusRecord> records = new ArrayList<>();
        for (int h = 0; h < 55; h++) {
            List<Transition> history = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                history.add(new Transition(Instant.parse("2020-01-01T00:00:00Z").plusSeconds(i).toString(), null,
                        "synced", "cron", null, i));
            }
            records.add(new StatusRecord("g", "h" + h, null, null, null, null, "synced", List.of(), null, null,
                    null, null, null, null, null, null, "2020-01-01T10:00:01Z", null, history));
        }
        storeDirectly(records.toArray(StatusRecord[]::new));
        try (Response page = target("events").request().get()) {
            assertEquals(1000, answer(page).json().size());
            assertNotNull(page.getHeaderString("Link"));
        }
        try (Response page = target("events").queryParam("limit", 10_000).request().get()) {
            assertEquals(1100, answer(page).json().size());
            assertNull(page.getHeaderString("Link"), "the last page has no next");
        }
    }

    @Test
    void aPageRevalidatesWith304AndKeepsItsLink() {
        seed();
        WebTarget page = target("events").queryParam("limit", 5);
        String tag;
        String link;
        try (Response first = page.request().get()) {
            tag = first.getHeaderString(HttpHeaders.ETAG);
            link = first.getHeaderString("Link");
        }
        try (Response again = page.request().header(HttpHeaders.IF_NONE_MATCH, tag).get()) {
            assertEquals(304, again.getStatus());
            assertEquals(link, again.getHeaderString("Link"));
        }
    }

    @Test
    void badLimitsCursorsAndFormatsAre400NamingTheParameter() {
        seed();
        for (String limit : List.of("0", "-1", "ten", "1.5", "10001", "99999999999999999999", "")) {
            assertError(answer(target("events").queryParam("limit", limit).request().get()), 400,
                    "validation_failed", "limit");
        }
        assertError(answer(target("events").queryParam("limit", "5", "6").request().get()), 400,
                "validation_failed", "limit");
        for (String cursor : List.of("nonsense", "W10", "WyJhIiwiYiJd", "!!")) {
            assertError(answer(target("events").queryParam("cursor", cursor).request().get()), 400,
                    "validation_failed", "cursor");
        }
        assertError(answer(target("events").queryParam("format", "csv").request().get()), 400,
                "validation_failed", "format");
        assertEquals(200, answer(target("events").queryParam("limit", "10000").request().get()).status());
    }
}
