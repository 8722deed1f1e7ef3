package io.gitops.status.resource;

import io.gitops.status.api.Refusal;
import io.gitops.status.api.Staleness;
import io.gitops.status.api.StatusRecord;
import io.gitops.status.api.WriteResponse;
import io.gitops.status.auth.Access;
import io.gitops.status.store.StatusStore;
import io.gitops.status.update.AttributedUpdate;
import io.gitops.status.update.Deletion;
import io.gitops.status.update.InputRules;
import io.gitops.status.update.Update;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import jakarta.ws.rs.core.UriInfo;
import java.security.Principal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Predicate;
import java.util.logging.Logger;

/**
 * Every change a client makes goes through here: the caller's access to the server group is
 * checked, the record is stamped with the token's name and its status transitions, and the answer
 * is the same for every write endpoint (200, {@code Location} when created).
 */
public final class Writes {

    private static final Logger LOG = Logger.getLogger(Writes.class.getName());

    private final StatusStore store;
    private final Access access;
    private final Staleness staleness;
    private final int historySize;
    private final InputRules rules;

    public Writes(StatusStore store, Access access, Staleness staleness, int historySize, InputRules rules) {
        this.store = store;
        this.access = access;
        this.staleness = staleness;
        this.historySize = historySize;
        this.rules = rules;
    }

    /** The rules that write bodies are parsed by: the configured caps and the reserved group names. */
    InputRules rules() {
        return rules;
    }

    Response store(Update update, SecurityContext caller, UriInfo uriInfo) {
        String tokenName = access.writerOf(caller.getUserPrincipal(), update.serverGroup());
        StatusStore.Written written = store.write(new AttributedUpdate(update, tokenName, historySize));
        WriteResponse body = new WriteResponse(written.created() ? "created" : "updated", update.key(),
                staleness.row(written.record(), staleness.now()), update.ignoredFields());
        Response.ResponseBuilder response = Response.ok(body);
        if (written.created()) {
            response.location(uriInfo.getBaseUriBuilder().path("status/{group}/{host}")
                    .build(update.serverGroup(), update.host()));
        }
        return response.build();
    }

    /** Deletes one record, which must exist. */
    void delete(String serverGroup, String host, SecurityContext caller) {
        access.writerOf(caller.getUserPrincipal(), serverGroup);
        store.write(new Deletion(serverGroup, host));
        LOG.info("deleted " + StatusRecord.key(serverGroup, host));
    }

    /** Deletes a whole server group, which must have records. */
    void deleteGroup(String serverGroup, List<StatusRecord> records, SecurityContext caller) {
        access.writerOf(caller.getUserPrincipal(), serverGroup);
        if (records.isEmpty()) {
            throw Refusal.notFound("no records in group " + serverGroup);
        }
        deleteAll(records, record -> true, caller.getUserPrincipal());
    }

    /**
     * A bulk deletion of the records matching {@code filter}. Access is decided from the filters
     * alone, before any record is looked at (see {@link Access#checkBulkDeletion}), so the answer
     * tells a token nothing about groups it may not write.
     */
    List<String> deleteMatching(Predicate<StatusRecord> filter, Collection<String> namedGroups,
            SecurityContext caller) {
        access.checkBulkDeletion(caller.getUserPrincipal(), namedGroups);
        return deleteAll(store.all().stream().filter(filter).toList(), filter, caller.getUserPrincipal());
    }

    /**
     * Deletes the records that still match {@code stillMatching} when the store applies the
     * deletion, all in one durable batch, and returns the keys deleted: a record deleted or
     * changed meanwhile by another request is skipped. The caller must be allowed to delete every
     * one of them, else nothing is deleted.
     */
    private List<String> deleteAll(List<StatusRecord> records, Predicate<StatusRecord> stillMatching,
            Principal caller) {
        records.stream().map(StatusRecord::serverGroup).distinct().forEach(group -> access.writerOf(caller, group));
        List<StatusStore.Outcome> outcomes = store.writeAll(records.stream()
                .map(record -> new Deletion(record.serverGroup(), record.host(), stillMatching)).toList());
        List<String> deleted = new ArrayList<>();
        for (int i = 0; i < records.size(); i++) {
            StatusStore.Outcome outcome = outcomes.get(i);
            if (outcome.refused() == null && outcome.written().record() == null) {
                deleted.add(records.get(i).key());
                LOG.info("deleted " + records.get(i).key());
            }
        }
        return deleted;
    }
}
