package io.gitops.status.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The first write creates the journal, and its folder is forced before the write is acknowledged:
 * without that, a crash could lose the journal's directory entry and with it an acknowledged write.
 * Watched with strace, which sees the system calls the JVM makes.
 */
class JournalFolderSyncTest {

    private static final Path STRACE = Path.of("/usr/bin/strace");

    @TempDir
    Path dir;

    @Test
    void creatingTheJournalForcesItsFolderBeforeTheWriteReturns() throws Exception {
        assumeTrue(Files.isExecutable(STRACE), "strace is not installed");
        Path folder = Files.createDirectory(dir.resolve("data"));
        Path traces = Files.createDirectory(dir.resolve("traces"));
        // -ff: one file per thread, so no call is split by another thread's ("<unfinished ...>")
        Process process = new ProcessBuilder(STRACE.toString(), "-ff", "-qq", "-e", "trace=openat,fsync,fdatasync",
                "-o", traces.resolve("trace").toString(), Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m", "-cp", classPath(), WriteOnce.class.getName(), folder.resolve("status.json").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("out.txt").toFile()).start();
        assertTrue(process.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, process.exitValue(), Files.readString(dir.resolve("out.txt")));

        Pattern creation = Pattern.compile("openat\\(.*\"" + Pattern.quote(folder + "/status.json.journal")
                + "\", [^)]*O_CREAT.*= \\d+");
        List<String> calls = List.of();
        int created = -1;
        try (var files = Files.list(traces)) {
            for (Path thread : files.toList()) { // the writing thread's calls
                List<String> lines = Files.readAllLines(thread);
                if (indexOf(lines, 0, creation) >= 0) {
                    calls = lines;
                    created = indexOf(lines, 0, creation);
                }
            }
        }
        assertTrue(created >= 0, "the journal was created");
        Pattern openFolder = Pattern.compile("openat\\(.*\"" + Pattern.quote(folder.toString()) + "\", O_RDONLY.*= (\\d+)");
        int opened = indexOf(calls, created, openFolder);
        assertTrue(opened > created, "the folder is opened after the journal's creation");
        Matcher descriptor = openFolder.matcher(calls.get(opened));
        assertTrue(descriptor.find());
        int synced = indexOf(calls, opened, Pattern.compile("fsync\\(" + descriptor.group(1) + "\\)"));
        assertTrue(synced > opened, "and forced: " + calls.subList(created, calls.size()));
    }

    private static int indexOf(List<String> lines, int from, Pattern pattern) {
        for (int i = from; i < lines.size(); i++) {
            if (pattern.matcher(lines.get(i)).find()) {
                return i;
            }
        }
        return -1;
    }

    private static String classPath() {
        String surefire = System.getProperty("surefire.test.class.path");
        return surefire != null && !surefire.isBlank() ? surefire : System.getProperty("java.class.path");
    }
}
