package io.gitops.status.auth;

import io.gitops.status.api.Refusal;
import java.security.Principal;

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
}
