package io.gitops.status.store;

import io.gitops.status.api.Refusal;

/** The store cannot serve now (damaged data file, unwritable folder, ...): a refusal with the reason. */
public final class StoreUnavailableException extends Refusal {

    public StoreUnavailableException(String reason) {
        super(Kind.STORE_UNAVAILABLE, reason, null);
    }
}
