package io.gitops.status.auth;

import io.gitops.status.api.Refusal;
import java.security.Principal;
import java.util.Collection;

/**
 * Which server groups a caller may write and delete, the one place that decides it. The caller is
 * the JDK's {@link Principal} that authentication established (a {@link Token}, or none), so the
 * rule knows nothing of the HTTP layer that extracts it.
 */
public final class Access {

    private final Tokens tokens;

    public Access(Tokens tokens) {
        this.tokens = tokens;
    }

    /**
     * The name of the token allowed to write or delete records of {@code serverGroup}, or
     * {@code null} when tokens are off.
     *
     * @param caller who authenticated; {@code null} or another principal than a token when no token was presented
     * @throws Refusal unauthorized without a token, forbidden when the token's scopes do not cover the group
     */
    public String writerOf(Principal caller, String serverGroup) {
        if (!tokens.enabled()) {
            return null;
        }
        if (!(caller instanceof Token token)) {
            throw Refusal.unauthorized("writing needs Authorization: Bearer <token>");
        }
        if (!token.mayWrite(serverGroup)) {
            throw Refusal.forbidden("token " + token.getName() + " may not write server group " + serverGroup);
        }
        return token.getName();
    }

    /**
     * Checks a bulk deletion before any record is looked at. A token that may not write every
     * group must name the groups ({@code server_group} filter), each covered by its scopes; the
     * filter then keeps the deletion inside them. Otherwise the answer would depend on records in
     * groups it cannot see (403 when a filter like {@code status=failed} matched one there, 200
     * when not), and a token could probe other groups.
     *
     * @param namedGroups the values of the deletion's {@code server_group} filter, empty when none
     * @throws Refusal unauthorized without a token, forbidden when the named groups are missing or not covered
     */
    public void checkBulkDeletion(Principal caller, Collection<String> namedGroups) {
        if (!tokens.enabled()) {
            return;
        }
        if (!(caller instanceof Token token)) {
            throw Refusal.unauthorized("deleting needs Authorization: Bearer <token>");
        }
        if (token.mayWriteEveryGroup()) {
            return;
        }
        if (namedGroups.isEmpty()) {
            throw Refusal.forbidden("token " + token.getName() + " may write only some server groups: a bulk "
                    + "deletion by it must name them in a server_group filter");
        }
        namedGroups.forEach(group -> writerOf(caller, group));
    }
}
