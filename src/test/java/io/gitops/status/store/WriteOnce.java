package io.gitops.status.store;

import java.nio.file.Path;

/**
 * One acknowledged write into a new store, then the process ends at once, as a crash would (no
 * close, no compaction): for {@link JournalFolderSyncTest}.
 */
public final class WriteOnce {

    private WriteOnce() {
    }

    public static void main(String[] args) {
        FileStatusStore store = new FileStatusStore(Path.of(args[0]));
        store.write(TestUpdates.put("g", "h", "synced"));
        Runtime.getRuntime().halt(0);
    }
}
