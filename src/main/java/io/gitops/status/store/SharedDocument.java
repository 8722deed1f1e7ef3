package io.gitops.status.store;

import java.util.Optional;

/**
 * A small document kept beside the store's data (the notifier's state), read by every process that
 * shares the store and written by one at a time: the holder of its {@link Lease}. The lease is held
 * until closed, or until the holder dies (its file lock or database session goes with it), so that
 * another process can take over.
 *
 * <p>Thread safety: any thread may read; a lease is used by one thread.
 */
public interface SharedDocument {

    /**
     * The document as last written by any holder; empty when never written.
     *
     * @throws StoreUnavailableException when it cannot be read
     */
    Optional<byte[]> read();

    /**
     * Becomes the one writer unless another process (or another application in this JVM) is;
     * empty then.
     *
     * @throws StoreUnavailableException when whether it is held cannot be found out
     */
    Optional<Lease> tryLease();

    /** The right to write the document, until closed or lost. */
    interface Lease extends AutoCloseable {

        /**
         * Replaces the document durably, only while the lease is still held.
         *
         * @throws StoreUnavailableException when it was not written (the lease may be lost:
         *     {@link #held()} tells)
         */
        void write(byte[] document);

        /** Whether this lease still excludes every other writer. */
        boolean held();

        @Override
        void close();
    }
}
