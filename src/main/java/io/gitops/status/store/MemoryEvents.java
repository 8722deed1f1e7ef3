package io.gitops.status.store;

import io.gitops.status.api.Event;
import io.gitops.status.api.EventKey;
import io.gitops.status.api.History;
import io.gitops.status.api.StatusRecord;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * A page of events from histories held in memory, chosen without collecting the events: every
 * visible transition is offered to a bounded max-heap of {@code limit + 1} candidates (the extra
 * one tells whether more remain), so a page costs memory in proportion to its limit, and time in
 * proportion to the histories read, whatever their total. Times come packed from {@link
 * History#epochMilli}, never parsed again; a transition whose time is not a timestamp (text kept
 * from an old data file) is not an event.
 *
 * <p>The store's list is sorted by server group, then host, so a record's index in it stands for
 * (server group, host) when comparing candidates of one page. A key's {@code tie} counts the
 * host's earlier visible transitions at the same millisecond, which stays right when transitions
 * are added or the oldest trimmed (positions in the history would shift).
 */
final class MemoryEvents {

    /** A chosen transition: its time, its record's index in the list, its index in the history. */
    private record Row(long at, int record, int position) {
    }

    private static final Comparator<Row> ORDER = Comparator.comparingLong(Row::at).thenComparingInt(Row::record)
            .thenComparingInt(Row::position);

    private MemoryEvents() {
    }

    static EventSlice select(List<StatusRecord> records, EventQuery query) {
        int limit = query.limit();
        int historySize = query.historySize();
        EventKey after = query.after();
        PriorityQueue<Row> heap = new PriorityQueue<>(Math.min(limit + 1, 1024), ORDER.reversed());
        for (int r = 0; r < records.size(); r++) {
            StatusRecord record = records.get(r);
            History history = (History) record.history();
            int size = history.size();
            if (size == 0 || historySize == 0 || !query.hosts().test(record)) {
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
                if (at < query.since() || at > query.until()) {
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
        EventKey next = null;
        if (rows.size() > limit) {
            rows.remove(limit);
            Row last = rows.get(limit - 1);
            StatusRecord record = records.get(last.record());
            int start = Math.max(0, record.history().size() - historySize);
            next = new EventKey(last.at(), record.serverGroup(), record.host(),
                    tie((History) record.history(), start, last.position(), last.at()));
        }
        List<Event> events = new ArrayList<>(rows.size());
        for (Row row : rows) {
            StatusRecord record = records.get(row.record());
            events.add(Event.of(record.serverGroup(), record.host(), record.history().get(row.position())));
        }
        return new EventSlice(events, next);
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
}
