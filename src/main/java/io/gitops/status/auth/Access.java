package io.gitops.status.auth;

import io.gitops.status.api.Refusal;
import jakarta.ws.rs.core.SecurityContext;

/** Which server groups a caller may write and delete, the one place that decides it. */
public final class Access {

    private final Tokens tokens;

    public Access(Tokens tokens) {
        this.tokens = tokens;
    }

    /**
     * The name of the token allowed to write or delete records of {@code serverGroup}, or
     * {@code null} when tokens are off.
     *
     * @throws Refusal 401 without a token, 403 when the token's scopes do not cover the group
     */
    public String writerOf(SecurityContext caller, String serverGroup) {
        if (!tokens.enabled()) {
            return null;
        }
        if (!(caller.getUserPrincipal() instanceof Token token)) {
            throw Refusal.unauthorized("writing needs Authorization: Bearer <token>");
        }
        if (!token.mayWrite(serverGroup)) {
            throw Refusal.forbidden("token " + token.getName() + " may not write server group " + serverGroup);
        }
        return token.getName();
    }
}
