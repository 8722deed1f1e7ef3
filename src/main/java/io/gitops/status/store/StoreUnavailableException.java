package io.gitops.status.store;

import io.gitops.status.error.ApiException;

/** The store cannot serve now (damaged data file, unwritable folder, ...): a 503 with the reason. */
public final class StoreUnavailableException extends ApiException {

    public StoreUnavailableException(String reason) {
        super(503, "store_unavailable", reason, null);
    }
}
