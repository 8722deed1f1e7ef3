package io.gitops.status.store.postgres;

import io.gitops.status.api.Event;
import io.gitops.status.api.EventKey;
import io.gitops.status.api.StatusRecord;
import io.gitops.status.api.Transition;
import io.gitops.status.store.DataFile;
import io.gitops.status.store.EventQuery;
import io.gitops.status.store.EventSlice;
import io.gitops.status.store.StoreUnavailableException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * What is read from the database rather than from memory: a host's history, pages of events,
 * and the export. Replicas keep no history in memory, so their memory does not grow with it.
 */
final class HistoryQueries {

    /** Rows read per round trip while looking for a page's events among other hosts' events. */
    private static final int EVENT_CHUNK = 1_000;

    private final Database database;
    private final Replica replica;

    HistoryQueries(Database database, Replica replica) {
        this.database = database;
        this.replica = replica;
    }

    /** The host's newest {@code size} transitions, oldest first. */
    List<Transition> history(String serverGroup, String host, int size) {
        try (Connection c = database.connection();
                PreparedStatement s = c.prepareStatement("SELECT at, from_status, to_status, source, commit_sha,"
                        + " changed_files_count FROM (SELECT * FROM transitions WHERE server_group = ? AND host = ?"
                        + " ORDER BY id DESC LIMIT ?) AS newest ORDER BY id")) {
            s.setString(1, serverGroup);
            s.setString(2, host);
            s.setInt(3, size);
            List<Transition> history = new ArrayList<>();
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    history.add(new Transition(r.getString(1), r.getString(2), r.getString(3), r.getString(4),
                            r.getString(5), r.getInt(6)));
                }
            }
            c.rollback();
            return history;
        } catch (SQLException e) {
            throw unavailable("the history", e);
        }
    }

    /**
     * A page of events in the events' order, from the index on (time, group, host, tie), as of
     * the replica's revision, so that the page agrees with the records it is shown beside. Hosts
     * are selected in memory: rows of hosts the query does not select are read and skipped. Each
     * host shows its newest {@code historySize} transitions, as its history does: the table holds
     * more after the setting was lowered, until the host's next transition trims them.
     */
    EventSlice events(EventQuery query) {
        long revision = replica.revision();
        List<Event> rows = new ArrayList<>();
        EventKey after = query.after();
        EventKey lastAccepted = null;
        try (Connection c = database.connection()) {
            boolean more = true;
            while (more && rows.size() <= query.limit()) {
                int read = 0;
                try (PreparedStatement s = c.prepareStatement("SELECT at_ms, server_group, host, tie, at, from_status,"
                        + " to_status, source, commit_sha, changed_files_count FROM transitions t WHERE at_ms"
                        + " BETWEEN ? AND ? AND revision <= ?"
                        + (after == null ? "" : " AND (at_ms, server_group, host, tie) > (?, ?, ?, ?)")
                        // fewer than historySize newer transitions of the host: among its newest
                        + " AND (SELECT count(*) FROM (SELECT 1 FROM transitions n WHERE n.server_group ="
                        + " t.server_group AND n.host = t.host AND n.id > t.id AND n.revision <= ? LIMIT ?)"
                        + " AS newer) < ?"
                        + " ORDER BY at_ms, server_group, host, tie LIMIT ?")) {
                    int i = 1;
                    s.setLong(i++, query.since());
                    s.setLong(i++, query.until());
                    s.setLong(i++, revision);
                    if (after != null) {
                        s.setLong(i++, after.at());
                        s.setString(i++, after.serverGroup());
                        s.setString(i++, after.host());
                        s.setInt(i++, after.tie());
                    }
                    s.setLong(i++, revision);
                    s.setInt(i++, query.historySize());
                    s.setInt(i++, query.historySize());
                    s.setInt(i, EVENT_CHUNK);
                    try (ResultSet r = s.executeQuery()) {
                        while (r.next()) {
                            read++;
                            EventKey key = new EventKey(r.getLong(1), r.getString(2), r.getString(3), r.getInt(4));
                            after = key;
                            StatusRecord record = replica.records().get(StatusRecord.key(key.serverGroup(), key.host()));
                            if (record == null || !query.hosts().test(record)) {
                                continue;
                            }
                            if (rows.size() == query.limit()) {
                                rows.add(null); // one more exists: the page ends at the last accepted row
                                break;
                            }
                            rows.add(Event.of(key.serverGroup(), key.host(), new Transition(r.getString(5),
                                    r.getString(6), r.getString(7), r.getString(8), r.getString(9), r.getInt(10))));
                            lastAccepted = key;
                        }
                    }
                }
                more = read == EVENT_CHUNK;
            }
            c.rollback();
        } catch (SQLException e) {
            throw unavailable("the events", e);
        }
        if (rows.size() > query.limit()) {
            rows.remove(rows.size() - 1);
            return new EventSlice(rows, lastAccepted);
        }
        return new EventSlice(rows, null);
    }

    /**
     * The whole store as a data file, from one snapshot: records and transitions are read side by
     * side in the same order, a fetch at a time, so an export of any size needs no more memory
     * than a fetch.
     */
    void export(OutputStream out) throws IOException {
        try (Connection c = database.connection()) {
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            c.setReadOnly(true);
            try (PreparedStatement hosts = c.prepareStatement("SELECT server_group, host, record FROM hosts"
                    + " WHERE record IS NOT NULL ORDER BY server_group, host");
                    PreparedStatement transitions = c.prepareStatement("SELECT server_group, host, at, from_status,"
                            + " to_status, source, commit_sha, changed_files_count FROM transitions"
                            + " ORDER BY server_group, host, id")) {
                hosts.setFetchSize(1_000);
                transitions.setFetchSize(1_000);
                try (ResultSet h = hosts.executeQuery(); ResultSet t = transitions.executeQuery()) {
                    DataFile.write(new WithHistory(h, t), out);
                }
            } finally {
                Commits.rollbackQuietly(c);
            }
        } catch (SQLException e) {
            throw unavailable("the export", e);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /** Records joined with their transitions, both result sets in (group, host) order. */
    private static final class WithHistory implements Iterator<StatusRecord> {
        private final ResultSet hosts;
        private final ResultSet transitions;
        private boolean hostAhead;
        private boolean transitionAhead;

        WithHistory(ResultSet hosts, ResultSet transitions) throws SQLException {
            this.hosts = hosts;
            this.transitions = transitions;
            this.hostAhead = hosts.next();
            this.transitionAhead = transitions.next();
        }

        @Override
        public boolean hasNext() {
            return hostAhead;
        }

        @Override
        public StatusRecord next() {
            if (!hostAhead) {
                throw new NoSuchElementException();
            }
            try {
                String group = hosts.getString(1);
                String host = hosts.getString(2);
                StatusRecord record = RecordJson.decode(hosts.getString(3));
                List<Transition> history = new ArrayList<>();
                while (transitionAhead && compare(transitions.getString(1), transitions.getString(2), group, host) <= 0) {
                    if (transitions.getString(1).equals(group) && transitions.getString(2).equals(host)) {
                        history.add(new Transition(transitions.getString(3), transitions.getString(4),
                                transitions.getString(5), transitions.getString(6), transitions.getString(7),
                                transitions.getInt(8)));
                    }
                    transitionAhead = transitions.next();
                }
                hostAhead = hosts.next();
                return record.withWriter(record.writtenByToken(), history);
            } catch (SQLException e) {
                throw unavailable("the export", e);
            }
        }

        private static int compare(String group, String host, String otherGroup, String otherHost) {
            int byGroup = group.compareTo(otherGroup);
            return byGroup != 0 ? byGroup : host.compareTo(otherHost);
        }
    }

    private static StoreUnavailableException unavailable(String what, SQLException e) {
        return new StoreUnavailableException("cannot read " + what + " from the database: " + e.getMessage());
    }
}
