package io.gitops.status.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A store starting up removes the temporary files a crash left behind, but never one that another
 * process is still writing (a compaction of a second Tomcat on the same files).
 */
class TempFilesTest {

    @TempDir
    Path dir;

    @Test
    void aTemporaryFileInUseByAnotherProcessSurvivesAStartUpAndALeftoverDoesNot() throws Exception {
        Path file = dir.resolve("status.json");
        Path inUse = dir.resolve("status.json.1234abcd.tmp");
        Path leftover = dir.resolve("status.json.journal.5678ef01.tmp");
        Files.writeString(leftover, "what a crash left");
        Process holder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", classPath(), HoldLockedFile.class.getName(), inUse.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("LOCKED", out.readLine());
            try (FileStatusStore store = new FileStatusStore(file)) {
                store.write(TestUpdates.put("g", "h", "synced"));
            }
            assertTrue(Files.exists(inUse), "the other process's file is left alone");
            assertFalse(Files.exists(leftover), "the leftover of a crash is removed");
        } finally {
            holder.getOutputStream().close();
            holder.waitFor(30, TimeUnit.SECONDS);
        }
        try (FileStatusStore store = new FileStatusStore(file)) {
            assertFalse(Files.exists(inUse), "once its writer is gone it is a leftover too");
            assertEquals(1, store.all().size());
        }
    }

    private static String classPath() {
        String surefire = System.getProperty("surefire.test.class.path");
        return surefire != null && !surefire.isBlank() ? surefire : System.getProperty("java.class.path");
    }
}
