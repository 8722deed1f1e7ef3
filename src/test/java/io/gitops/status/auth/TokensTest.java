package io.gitops.status.auth;

import static io.gitops.status.auth.TokenFileTest.sha256;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gitops.status.config.AppConfig;
import io.gitops.status.config.AppConfig.ConfigurationException;
import io.gitops.status.app.GitopsStatusApplication;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Loading the token file, authenticating against it, re-reading it when it changes, and the
 * application refusing to start on a bad one (issue 5, item 1).
 */
class TokensTest {

    private static final String CI = "ci-secret-0001";
    private static final String OPS = "ops-secret-0002";
    private static final String LATE = "late-secret-0003";

    @TempDir
    Path dir;

    private Path file;

    /** Every log record of the application's loggers while a test runs. */
    private final List<LogRecord> logged = new ArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            synchronized (logged) {
                logged.add(record);
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    private final Logger appLogger = Logger.getLogger("io.gitops.status");

    @BeforeEach
    void captureLogs() {
        file = dir.resolve("tokens");
        capture.setLevel(Level.ALL);
        appLogger.addHandler(capture);
    }

    @AfterEach
    void stopCapturing() {
        appLogger.removeHandler(capture);
    }

    private void write(String... lines) throws IOException {
        Files.write(file, List.of(lines), StandardCharsets.UTF_8);
    }

    private static String line(String name, String token, String scopes) {
        return name + " " + sha256(token) + " " + scopes;
    }

    private static String who(Tokens tokens, String presented) {
        return tokens.authenticate(presented).map(Token::getName).orElse(null);
    }

    // ---- off and loading ----------------------------------------------------------------------

    @Test
    void offNeedsNothing() {
        Tokens off = Tokens.off();
        assertFalse(off.enabled());
        assertFalse(off.readRequired());
        assertEquals(Optional.empty(), off.authenticate(CI));
        assertEquals(Optional.empty(), off.authenticate(""));
    }

    @Test
    void authenticatesByTheTokenNeverByItsHash() throws IOException {
        write("# tokens", line("ci", CI, "write:prod-*"), line("ops", OPS, "read write:*"));
        Tokens tokens = Tokens.load(file);
        assertTrue(tokens.enabled());
        assertTrue(tokens.readRequired());
        assertEquals("ci", who(tokens, CI));
        assertEquals("ops", who(tokens, OPS));
        assertTrue(tokens.authenticate(CI).orElseThrow().mayWrite("prod-web"));
        assertFalse(tokens.authenticate(CI).orElseThrow().mayWrite("lab"));
        for (String wrong : List.of("", "ci", CI + " ", " " + CI, CI.toUpperCase(), CI.substring(1), CI + "x",
                sha256(CI), "ci-secret-0002")) {
            assertEquals(null, who(tokens, wrong), "authenticated '" + wrong + "'");
        }
    }

    @Test
    void readsAreRequiredOnlyWhenSomeTokenHasTheReadScope() throws IOException {
        write(line("ci", CI, "write:*"));
        Tokens tokens = Tokens.load(file);
        assertTrue(tokens.enabled());
        assertFalse(tokens.readRequired());

        write("# none yet");
        Tokens none = Tokens.load(file);
        assertTrue(none.enabled(), "a file without tokens still closes writes");
        assertFalse(none.readRequired());
        assertEquals(Optional.empty(), none.authenticate(CI));
    }

    @Test
    void aMissingFileStopsStartUpNamingTheSetting() {
        ConfigurationException e = assertThrows(ConfigurationException.class, () -> Tokens.load(file));
        assertTrue(e.getMessage().contains("tokenFile"), e.getMessage());
        assertTrue(e.getMessage().contains(file.toAbsolutePath().toString()), e.getMessage());
    }

    @Test
    void aMalformedFileStopsStartUpNamingTheLine() throws IOException {
        write(line("ci", CI, "write:*"), "", "ops " + sha256(OPS));
        ConfigurationException e = assertThrows(ConfigurationException.class, () -> Tokens.load(file));
        assertTrue(e.getMessage().contains("line 3"), e.getMessage());
        assertTrue(e.getMessage().contains(file.toAbsolutePath().toString()), e.getMessage());
    }

    // ---- the application -------------------------------------------------------------------

    @Test
    void theApplicationDoesNotStartOnAMalformedTokenFileAndLeavesTheStoreAlone() throws IOException {
        Path data = Files.createDirectory(dir.resolve("data"));
        write("# tokens", line("ci", CI, "write:*"), line("ops", OPS, "write:* root"));
        AppConfig config = AppConfig.forStatusFile(data.resolve("status.json")).withTokenFile(file);
        ConfigurationException e = assertThrows(ConfigurationException.class,
                () -> new GitopsStatusApplication(config));
        assertTrue(e.getMessage().contains("line 3"), e.getMessage());
        assertTrue(e.getMessage().contains("root"), e.getMessage());
        try (Stream<Path> files = Files.list(data)) {
            assertEquals(List.of(), files.toList(), "the store was opened although start-up failed");
        }
    }

    @Test
    void theApplicationDoesNotStartWithoutItsTokenFile() throws IOException {
        Path data = Files.createDirectory(dir.resolve("data"));
        AppConfig config = AppConfig.forStatusFile(data.resolve("status.json")).withTokenFile(dir.resolve("nope"));
        ConfigurationException e = assertThrows(ConfigurationException.class,
                () -> new GitopsStatusApplication(config));
        assertTrue(e.getMessage().contains("tokenFile"), e.getMessage());
        try (Stream<Path> files = Files.list(data)) {
            assertEquals(List.of(), files.toList());
        }
    }

    @Test
    void theSettingIsReadFromTheContextParameterAndIsOffByDefault() {
        Map<String, String> context = Map.of("tokenFile", "  /etc/gitops/tokens ");
        assertEquals(Optional.of(Path.of("/etc/gitops/tokens")), AppConfig.read(context::get).tokenFile());
        if (System.getProperty("gitops.token.file") == null && System.getenv("TOKEN_FILE") == null) {
            assertEquals(Optional.empty(), AppConfig.read(name -> null).tokenFile());
            assertEquals(Optional.empty(), AppConfig.read(name -> " ").tokenFile());
        }
        assertEquals(Optional.empty(), AppConfig.forStatusFile(Path.of("x.json")).tokenFile());
    }

    // ---- re-reading -------------------------------------------------------------------------

    @Test
    void anAddedTokenWorksAndARemovedOneIsRevokedWithoutRestart() throws IOException {
        write(line("ci", CI, "write:prod-*"));
        Tokens tokens = Tokens.load(file);
        assertEquals(null, who(tokens, LATE));

        write(line("ci", CI, "write:prod-*"), line("late", LATE, "write:lab"));
        assertEquals("late", who(tokens, LATE));
        assertEquals("ci", who(tokens, CI));

        write(line("late", LATE, "write:lab"));
        assertEquals(null, who(tokens, CI), "a removed token still works");
        assertEquals("late", who(tokens, LATE));
    }

    @Test
    void changedScopesApply() throws IOException {
        write(line("ci", CI, "write:prod-*"));
        Tokens tokens = Tokens.load(file);
        assertFalse(tokens.readRequired());
        assertTrue(tokens.authenticate(CI).orElseThrow().mayWrite("prod-web"));

        write(line("ci", CI, "read write:lab"));
        assertTrue(tokens.readRequired());
        assertFalse(tokens.authenticate(CI).orElseThrow().mayWrite("prod-web"));
        assertTrue(tokens.authenticate(CI).orElseThrow().mayWrite("lab"));

        write(line("ci", CI, "write:lab-and-more"));
        assertFalse(tokens.readRequired(), "reads stay closed after the read scope was removed");
    }

    @Test
    void aReplacedFileIsNoticedEvenWithTheSameSizeAndTime() throws IOException {
        write(line("ci", CI, "write:prod"));
        Tokens tokens = Tokens.load(file);
        assertEquals("ci", who(tokens, CI));
        FileTime modified = Files.getLastModifiedTime(file);

        // The way editors and config management replace a file: a new file moved over it.
        Path next = dir.resolve("tokens.new");
        Files.write(next, List.of(line("ci", OPS, "write:labs")), StandardCharsets.UTF_8);
        Files.setLastModifiedTime(next, modified);
        assertEquals(Files.size(file), Files.size(next));
        Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);

        assertEquals(null, who(tokens, CI), "the replaced token still works");
        assertEquals("ci", who(tokens, OPS));
        assertTrue(tokens.authenticate(OPS).orElseThrow().mayWrite("labs"));
    }

    @Test
    void anInPlaceEditOfTheSameSizeWithinOneMtimeTickIsSeenByTheContentCheck() throws IOException {
        AtomicLong nanos = new AtomicLong();
        write(line("ci", CI, "write:prod"));
        Tokens tokens = Tokens.load(file, nanos::get);
        assertEquals("ci", who(tokens, CI));
        Object inode = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
        FileTime modified = Files.getLastModifiedTime(file);

        // Rewritten in place, the same size, and within the same tick of the modification time:
        // inode, time and size all as before.
        write(line("ci", OPS, "write:labs"));
        Files.setLastModifiedTime(file, modified);
        BasicFileAttributes after = Files.readAttributes(file, BasicFileAttributes.class);
        assertEquals(inode, after.fileKey());
        assertEquals(modified, after.lastModifiedTime());
        assertEquals(line("ci", CI, "write:prod").length() + 1, after.size());

        // The content is hashed at most once a second: until then the old tokens stand.
        nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(500));
        assertEquals("ci", who(tokens, CI));
        nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(600));
        assertEquals(null, who(tokens, CI), "the revoked token still works");
        assertEquals("ci", who(tokens, OPS));
        assertTrue(tokens.authenticate(OPS).orElseThrow().mayWrite("labs"));

        // Touching the file changes nothing and logs no change.
        int before = logged.size();
        Files.setLastModifiedTime(file, FileTime.fromMillis(modified.toMillis() + 5000));
        nanos.addAndGet(TimeUnit.SECONDS.toNanos(2));
        assertEquals("ci", who(tokens, OPS));
        assertEquals(before, logged.size(), "a touch was logged as a change");
    }

    @Test
    void losingTheLastReadTokenLogsAWarningThatReadsAreOpen() throws IOException {
        write(line("ci", CI, "write:prod"), line("grafana", OPS, "read"));
        Tokens tokens = Tokens.load(file);
        assertTrue(tokens.readRequired());

        write(line("ci", CI, "read write:prod")); // another read token remains: no warning
        assertTrue(tokens.readRequired());
        assertEquals(List.of(), warnings());

        write(line("ci", CI, "write:prod"), line("grafana", OPS, "write:lab"));
        assertFalse(tokens.readRequired());
        List<LogRecord> warnings = warnings();
        assertEquals(1, warnings.size(), "one warning: " + warnings);
        assertTrue(warnings.get(0).getMessage().contains("reads are open"), warnings.get(0).getMessage());

        // Without read tokens before, none lost: no warning.
        write(line("ci", CI, "write:*"));
        assertFalse(tokens.readRequired());
        assertEquals(1, warnings().size());
    }

    private List<LogRecord> warnings() {
        synchronized (logged) {
            return logged.stream().filter(r -> r.getLevel().equals(Level.WARNING)).toList();
        }
    }

    @Test
    void aMalformedChangeKeepsThePreviousTokensUntilTheFileIsFixed() throws IOException {
        write(line("ci", CI, "write:prod-*"), line("ops", OPS, "write:*"));
        Tokens tokens = Tokens.load(file);

        // A half-edited file: ops removed, late added, and one bad line. None of it applies.
        write(line("ci", CI, "write:lab"), line("late", LATE, "read write:*"), "broken");
        for (int i = 0; i < 3; i++) {
            assertEquals("ci", who(tokens, CI));
            assertEquals("ops", who(tokens, OPS), "a token removed by a malformed change stopped working");
            assertEquals(null, who(tokens, LATE), "a token added by a malformed change works");
            assertTrue(tokens.authenticate(CI).orElseThrow().mayWrite("prod-web"));
            assertFalse(tokens.readRequired());
        }
        long severe = logged.stream().filter(r -> r.getLevel().equals(Level.SEVERE)).count();
        assertTrue(severe >= 1, "the bad change was not logged");
        assertTrue(logged.stream().anyMatch(r -> r.getMessage().contains("line 3")), "the log does not name the line");

        // The fix applies.
        write(line("ci", CI, "write:lab"), line("late", LATE, "read write:*"));
        assertEquals("late", who(tokens, LATE));
        assertEquals(null, who(tokens, OPS));
        assertTrue(tokens.readRequired());
        assertFalse(tokens.authenticate(CI).orElseThrow().mayWrite("prod-web"));
    }

    @Test
    void anEmptiedFileKeepsThePreviousTokensAndACommentOnlyFileRevokesThemAll() throws IOException {
        write(line("ci", CI, "write:*"), line("ops", OPS, "read"));
        Tokens tokens = Tokens.load(file);
        Files.write(file, new byte[0]); // an editor's in-place rewrite, caught half-way
        assertEquals("ci", who(tokens, CI));
        assertTrue(tokens.readRequired(), "an emptied file opened the reads");
        write("# every token revoked");
        assertEquals(null, who(tokens, CI));
        assertFalse(tokens.readRequired());
    }

    /**
     * An in-place rewrite in two writes, read meanwhile by request threads: once the file is
     * complete, its tokens apply, whatever a reader saw half-way.
     */
    @Test
    void aFileRewrittenInPlaceWhileReadEndsWithItsNewTokens() throws Exception {
        Level before = appLogger.getLevel();
        appLogger.setLevel(Level.OFF); // half-written versions are logged; not of interest here
        try {
            for (int trial = 0; trial < 100; trial++) {
                write(line("old", CI, "write:*"));
                Tokens tokens = Tokens.load(file);
                AtomicBoolean stop = new AtomicBoolean();
                List<Thread> readers = new ArrayList<>();
                for (int i = 0; i < 2; i++) {
                    Thread reader = new Thread(() -> {
                        while (!stop.get()) {
                            tokens.authenticate("anything");
                        }
                    });
                    reader.start();
                    readers.add(reader);
                }
                byte[] next = (line("new", LATE, "write:*") + "\n").getBytes(StandardCharsets.UTF_8);
                try (OutputStream out = Files.newOutputStream(file)) {
                    out.write(next, 0, 20);
                    out.flush();
                    Thread.sleep(0, 50_000);
                    out.write(next, 20, next.length - 20);
                }
                stop.set(true);
                for (Thread reader : readers) {
                    reader.join();
                }
                assertEquals("new", who(tokens, LATE), "trial " + trial + ": the complete file's token is refused");
                assertEquals(null, who(tokens, CI), "trial " + trial + ": the revoked token still works");
            }
        } finally {
            appLogger.setLevel(before);
        }
    }

    @Test
    void aDeletedFileKeepsThePreviousTokensAndARecreatedOneApplies() throws IOException {
        write(line("ci", CI, "write:*"));
        Tokens tokens = Tokens.load(file);
        Files.delete(file);
        assertEquals("ci", who(tokens, CI));
        assertTrue(tokens.enabled());

        write(line("late", LATE, "write:*"));
        assertEquals("late", who(tokens, LATE));
        assertEquals(null, who(tokens, CI));
    }

    @Test
    void neitherTokensNorTheirHashesAreLogged() throws IOException {
        String misplaced = "plain-token-where-the-hash-belongs";
        write(line("ci", CI, "write:*"));
        Tokens tokens = Tokens.load(file);
        tokens.authenticate(CI);
        tokens.authenticate("wrong-token-value");
        write(line("ci", CI, "write:*"), "ops " + misplaced + " write:*");
        tokens.authenticate(CI);
        write(line("ci", CI, "write:*"), line("ops", OPS, "read"), line("ops", LATE, "read"));
        tokens.authenticate(OPS);
        write(line("ci", CI, "write:*"), line("ops", OPS, "read"), line("dupe", OPS, "read"));
        tokens.authenticate(OPS);
        write(line("ci", CI, "write:*"), line("ops", OPS, "read"));
        tokens.authenticate(OPS);
        assertThrows(ConfigurationException.class, () -> {
            write(line("ci", CI, "write:* " + "x"));
            Tokens.load(file);
        });

        assertTrue(logged.size() >= 3, "expected logs of the loads and bad changes: " + logged.size());
        for (LogRecord record : logged) {
            String text = record.getMessage() + " " + (record.getParameters() == null ? ""
                    : List.of(record.getParameters()).toString());
            for (String secret : List.of(CI, OPS, LATE, "wrong-token-value", misplaced, sha256(CI), sha256(OPS),
                    sha256(LATE))) {
                assertFalse(text.contains(secret), "logged a secret: " + text);
            }
        }
    }
}
