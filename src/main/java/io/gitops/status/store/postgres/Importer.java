package io.gitops.status.store.postgres;

import io.gitops.status.api.StatusRecord;
import io.gitops.status.api.Transition;
import io.gitops.status.store.DataFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.logging.Logger;

/**
 * Moving in: a data file (v2 or any v1 shape, with its history) imported into a store that holds
 * no host, in one transaction under the store's write lock, so replicas starting together import
 * it once and a store that holds hosts is never touched.
 */
final class Importer {

    private static final Logger LOG = Logger.getLogger(Importer.class.getName());

    private Importer() {
    }

    static void importIfEmpty(Database database, Path file, int historySize) throws SQLException {
        try (Connection c = database.connection()) {
            try {
                UUID token = UUID.randomUUID();
                Rows.State state = Rows.lockAndPublish(c, token);
                if (holdsHosts(c)) {
                    LOG.info("importFile " + file + " ignored: the store already holds hosts");
                    c.rollback();
                    return;
                }
                Collection<StatusRecord> records = read(file);
                Map<String, StatusRecord> byKey = new LinkedHashMap<>();
                Map<String, List<Transition>> history = new LinkedHashMap<>();
                for (StatusRecord record : records) {
                    byKey.put(record.key(), record);
                    if (!record.history().isEmpty()) {
                        history.put(record.key(), record.history());
                    }
                }
                long revision = state.revision() + 1;
                Rows.write(c, byKey, history, revision, historySize);
                Commits.commit(database, c, state.transactionId(), revision, token);
                LOG.info("imported " + byKey.size() + " hosts from " + file + " into " + database.displayUrl());
            } catch (SQLException | RuntimeException e) {
                Commits.rollbackQuietly(c);
                throw e;
            }
        }
    }

    private static boolean holdsHosts(Connection c) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT EXISTS (SELECT 1 FROM hosts WHERE record IS NOT NULL)");
                ResultSet r = s.executeQuery()) {
            r.next();
            return r.getBoolean(1);
        }
    }

    private static Collection<StatusRecord> read(Path file) {
        Path journal = file.resolveSibling(file.getFileName() + ".journal");
        try {
            if (Files.isRegularFile(journal) && Files.size(journal) > 0) {
                LOG.warning("importFile " + file + " has a journal beside it (" + journal + "): its changes are not "
                        + "imported; stop the service that writes them first (it folds its journal on shutdown), "
                        + "or import its export (GET /admin/export)");
            }
            return DataFile.read(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot import " + file + ": " + e.getMessage(), e);
        }
    }
}
