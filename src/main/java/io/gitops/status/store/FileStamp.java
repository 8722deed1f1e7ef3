package io.gitops.status.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;

/**
 * What a process knows of the shared files: the lock file's version and the data file's and the
 * journal's identity, modification time and size. Equal stamps mean nobody wrote in between.
 */
record FileStamp(String lockVersion, FileStamp.FileState dataFile, FileStamp.FileState journal) {

    /** Whether only the journal grew since {@code earlier}: the data file is the same one. */
    boolean continues(FileStamp earlier) {
        return dataFile.equals(earlier.dataFile)
                && (journal.fileKey() == null || journal.fileKey().equals(earlier.journal.fileKey()));
    }

    /** One file's identity, modification time and size; {@code fileKey} null when missing. */
    record FileState(Object fileKey, FileTime modified, long size) {
        static FileState of(Path path) throws IOException {
            try {
                BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class);
                return new FileState(a.fileKey() == null ? path : a.fileKey(), a.lastModifiedTime(), a.size());
            } catch (NoSuchFileException e) {
                return new FileState(null, null, 0);
            }
        }
    }
}
