package io.gitops.status.store;

import java.io.IOException;

/**
 * The steps of the store's work at which the tests inject a failure (an exception, an {@link
 * Error}, or a halt of the process) to prove that no step can lose an acknowledged write or store
 * a refused one. The application runs with {@link #NONE}.
 */
@FunctionalInterface
public interface FaultPoint {

    FaultPoint NONE = step -> { };

    /** Called when the store reaches {@code step}; may throw to make the step fail. */
    void reached(Step step) throws IOException;

    enum Step {
        /** A batch is about to be appended to the journal. */
        APPEND,
        /** The batch is in the journal, the new version not yet published to other processes. */
        PUBLISH,
        /** Published, not yet applied in memory. */
        APPLY,
        /** Compaction: the new data file is about to be written. */
        COMPACT_WRITE,
        /** Compaction: the new data file is forced, about to be renamed into place. */
        COMPACT_RENAME,
        /** Compaction: the new data file is in place, the journal not yet cut back. */
        COMPACT_CUT_JOURNAL,
        /** Compaction: the journal is cut back, the new version not yet published. */
        COMPACT_PUBLISH
    }
}
