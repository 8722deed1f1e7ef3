package io.gitops.status.auth;

import io.gitops.status.config.AppConfig.ConfigurationException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.logging.Logger;

/**
 * The tokens of the token file, or none when no file is configured (then every request is
 * allowed). The file is read at start-up, where any problem stops the application, and again
 * whenever it changes: its inode, modification time or size, checked at every request, or its
 * content's SHA-256, checked at most once a second — an edit in place that keeps the size within
 * one tick of the modification time (a second on some filesystems) changes no attribute, and
 * would otherwise leave a revoked token working. A version that cannot be used — a malformed
 * line, an empty file, a file changing while read — is logged and the tokens read before stay in
 * force, so that a half-written file neither locks everyone out nor opens the service. Replacing
 * the file by a rename is the safe way to edit it. A version that takes the last {@code read}
 * scope away opens the reads to anyone: that is logged as a warning.
 *
 * <p>Thread safety: any number of threads may call any method.
 */
public final class Tokens {

    private static final Logger LOG = Logger.getLogger(Tokens.class.getName());
    /** How often the content is hashed when no attribute changed: reading a small file once a second is cheap. */
    private static final long CONTENT_CHECK_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final Path file;
    private final LongSupplier nanoTime;
    /** The {@link #nanoTime} after which the next request hashes the content. */
    private final AtomicLong nextContentCheck;
    private volatile Loaded loaded;

    private Tokens(Path file, Loaded loaded, LongSupplier nanoTime) {
        this.file = file;
        this.loaded = loaded;
        this.nanoTime = nanoTime;
        this.nextContentCheck = new AtomicLong(nanoTime.getAsLong() + CONTENT_CHECK_NANOS);
    }

    /** No token file: writes and reads need no token. */
    public static Tokens off() {
        return new Tokens(null, new Loaded(null, null, List.of(), false), System::nanoTime);
    }

    /** Reads the token file; any problem stops start-up with a {@link ConfigurationException}. */
    public static Tokens load(Path file) {
        return load(file, System::nanoTime);
    }

    /** {@link #load(Path)} with the clock that paces the content checks, for tests. */
    static Tokens load(Path file, LongSupplier nanoTime) {
        try {
            Stamp stamp = stamp(file);
            Tokens tokens = new Tokens(file, null, nanoTime);
            byte[] content = Files.readAllBytes(file);
            tokens.loaded = new Loaded(stamp, sha256(content), tokens.parse(content), false);
            LOG.info("token file " + file.toAbsolutePath() + ": " + tokens.loaded.tokens().size() + " tokens");
            return tokens;
        } catch (IOException e) {
            throw new ConfigurationException("setting tokenFile: cannot read token file " + file.toAbsolutePath()
                    + ": " + e);
        }
    }

    /** Whether writes need a token. */
    public boolean enabled() {
        return file != null;
    }

    /** Whether reads need a token with the {@code read} scope: only when some token has it. */
    public boolean readRequired() {
        return current().stream().anyMatch(Token::mayRead);
    }

    /**
     * The token whose SHA-256 equals that of {@code presented}. Every token is compared, each in
     * constant time, so the answer's timing tells nothing about which token came close.
     */
    public Optional<Token> authenticate(String presented) {
        byte[] hash = sha256(presented);
        Token found = null;
        for (Token token : current()) {
            if (MessageDigest.isEqual(token.sha256(), hash)) {
                found = token;
            }
        }
        return Optional.ofNullable(found);
    }

    private List<Token> current() {
        if (file == null) {
            return List.of();
        }
        Loaded seen = loaded;
        Stamp before = stampOrNull();
        boolean checkContent = contentCheckDue();
        if (Objects.equals(before, seen.stamp()) && !checkContent) {
            return seen.tokens();
        }
        synchronized (this) { // one reload at a time, so that no thread stores an older outcome
            seen = loaded;
            if (Objects.equals(before, seen.stamp()) && !checkContent) {
                return seen.tokens();
            }
            byte[] hash = null;
            try {
                if (before == null) {
                    throw new IOException("it cannot be read");
                }
                byte[] content = Files.readAllBytes(file);
                if (!before.equals(stampOrNull())) {
                    return seen.tokens(); // changed while being read: read it again at the next request
                }
                hash = sha256(content);
                if (Arrays.equals(hash, seen.sha256())) { // touched, or the content check found nothing new
                    loaded = new Loaded(before, hash, seen.tokens(), seen.failed());
                    return seen.tokens();
                }
                if (content.length == 0) {
                    // What an editor leaves for a moment while it rewrites the file in place.
                    throw new ConfigurationException("the file is empty; to revoke every token, leave a comment line");
                }
                loaded = new Loaded(before, hash, parse(content), false);
                LOG.info("token file " + file.toAbsolutePath() + " changed: " + loaded.tokens().size() + " tokens");
                warnIfReadsOpened(seen.tokens(), loaded.tokens());
            } catch (IOException | ConfigurationException e) {
                // Log each bad version once: the same content comes back here only while unreadable (no hash).
                if (hash != null || !seen.failed() || !Objects.equals(before, seen.stamp())) {
                    LOG.severe("token file " + file.toAbsolutePath() + " changed but cannot be used, keeping the "
                            + seen.tokens().size() + " tokens read before: " + e.getMessage());
                }
                loaded = new Loaded(before, hash, seen.tokens(), true);
            }
            return loaded.tokens();
        }
    }

    /** Whether this request is the one, at most once a second, that hashes the content. */
    private boolean contentCheckDue() {
        long now = nanoTime.getAsLong();
        long due = nextContentCheck.get();
        return now - due >= 0 && nextContentCheck.compareAndSet(due, now + CONTENT_CHECK_NANOS);
    }

    /** Reads need a token only while some token has the read scope: losing the last one opens them. */
    private void warnIfReadsOpened(List<Token> before, List<Token> after) {
        if (before.stream().anyMatch(Token::mayRead) && after.stream().noneMatch(Token::mayRead)) {
            LOG.warning("token file " + file.toAbsolutePath() + " changed: no token has the read scope any more, "
                    + "so reads are open to anyone without a token");
        }
    }

    private List<Token> parse(byte[] content) {
        List<String> lines = new String(content, StandardCharsets.UTF_8).lines().toList();
        return TokenFile.parse(lines, "token file " + file.toAbsolutePath());
    }

    private Stamp stampOrNull() {
        try {
            return stamp(file);
        } catch (IOException e) {
            return null;
        }
    }

    private static Stamp stamp(Path file) throws IOException {
        BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
        return new Stamp(attributes.fileKey(), attributes.lastModifiedTime(), attributes.size());
    }

    static byte[] sha256(String text) {
        return sha256(text.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Identifies one version of the file: an edit in place or a replacement both change it. */
    private record Stamp(Object fileKey, FileTime modified, long size) {
    }

    /**
     * The tokens in force, and the file's version (attributes and content hash, {@code null} when
     * unreadable) they came from or, when {@code failed}, could not be read from.
     */
    private record Loaded(Stamp stamp, byte[] sha256, List<Token> tokens, boolean failed) {
    }
}
