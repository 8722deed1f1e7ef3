package io.gitops.status.resource;

import io.gitops.status.api.Event;
import io.gitops.status.api.History;
import io.gitops.status.api.StatusRecord;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.function.Predicate;

/**
 * One page of {@code GET /events}: the first {@code limit} transitions after a cursor, in the
 * events' order (time, server group, host, then position in the host's history), chosen without
 * collecting the events: every visible transition is offered to a bounded max-heap of
 * {@code limit + 1} candidates (the extra one tells whether more remain), so a page costs memory
 * in proportion to its limit, and time in proportion to the histories read, whatever their total.
 * Times come packed from {@link History#epochMilli}, never parsed again; a transition whose time
 * is not a timestamp (text kept from an old data file) is not an event, as before.
 *
 * <p>The store's list is sorted by server group, then host, so a record's index in it stands for
 * (server group, host) when comparing candidates of one page.
 */
final class EventPage {

    /** A chosen transition: its time, its record's index in the list, its index in the history. */
    private record Row(long at, int record, int position) {
    }

    private static final Comparator<Row> ORDER = Comparator.comparingLong(Row::at).thenComparingInt(Row::record)
            .thenComparingInt(Row::position);

    private final List<StatusRecord> records;
    private final List<Row> rows;
    private final EventCursor next;

    private EventPage(List<StatusRecord> records, List<Row> rows, EventCursor next) {
        this.records = records;
        this.rows = rows;
        this.next = next;
    }

    /**
     * The page of the events of the hosts that {@code hosts} selects, between {@code since} and
     * {@code until} (epoch milliseconds, inclusive), after {@code after} ({@code null}: from the
     * first), showing each host's last {@code historySize} transitions.
     */
    static EventPage select(List<StatusRecord> records, Predicate<StatusRecord> hosts, long since, long until,
            EventCursor after, int limit, int historySize) {
        PriorityQueue<Row> heap = new PriorityQueue<>(Math.min(limit + 1, 1024), ORDER.reversed());
        for (int r = 0; r < records.size(); r++) {
            StatusRecord record = records.get(r);
            History history = (History) record.history();
            int size = history.size();
            if (size == 0 || historySize == 0 || !hosts.test(record)) {
                continue;
            }
            int start = Math.max(0, size - historySize);
            int hostVsCursor = 0;
            boolean hostCompared = false;
            for (int p = start; p < size; p++) {
                Long time = history.epochMilli(p);
                if (time == null) {
                    continue;
                }
                long at = time;
                if (at < since || at > until) {
                    continue;
                }
                if (after != null && at <= after.at()) {
                    if (at < after.at()) {
                        continue;
                    }
                    if (!hostCompared) {
                        hostVsCursor = after.compareHost(record.serverGroup(), record.host());
                        hostCompared = true;
                    }
                    if (hostVsCursor < 0 || (hostVsCursor == 0 && tie(history, start, p, at) <= after.tie())) {
                        continue;
                    }
                }
                if (heap.size() > limit) {
                    Row last = heap.peek();
                    if (at > last.at() || (at == last.at() && (r > last.record()
                            || (r == last.record() && p > last.position())))) {
                        continue;
                    }
                    heap.poll();
                }
                heap.add(new Row(at, r, p));
            }
        }
        List<Row> rows = new ArrayList<>(heap);
        rows.sort(ORDER);
        EventCursor next = null;
        if (rows.size() > limit) {
            rows.remove(limit);
            Row last = rows.get(limit - 1);
            StatusRecord record = records.get(last.record());
            int start = Math.max(0, record.history().size() - historySize);
            next = new EventCursor(last.at(), record.serverGroup(), record.host(),
                    tie((History) record.history(), start, last.position(), last.at()));
        }
        return new EventPage(records, rows, next);
    }

    /** How many of the host's visible transitions before {@code position} share its millisecond. */
    private static int tie(History history, int start, int position, long at) {
        int earlier = 0;
        for (int p = start; p < position; p++) {
            Long time = history.epochMilli(p);
            if (time != null && time == at) {
                earlier++;
            }
        }
        return earlier;
    }

    /** Where the next page starts; {@code null} when this page holds the last events. */
    EventCursor next() {
        return next;
    }

    /** The rows as a JSON array, or in {@code {"rows": [...], "next_cursor": ...}} when {@code envelope}. */
    Streamed.Body body(boolean envelope) {
        return json -> {
            if (envelope) {
                json.writeStartObject();
                json.writeFieldName("rows");
            }
            json.writeStartArray();
            for (Row row : rows) {
                StatusRecord record = records.get(row.record());
                ListViews.ROW.writeValue(json, Event.of(record, record.history().get(row.position())));
            }
            json.writeEndArray();
            if (envelope) {
                // Always present: Grafana Infinity's cursor pagination stops at an empty (null) value
                // and fails on a missing one.
                json.writeStringField("next_cursor", next == null ? null : next.encode());
                json.writeEndObject();
            }
        };
    }
}
