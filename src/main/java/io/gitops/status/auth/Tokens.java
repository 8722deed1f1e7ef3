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
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * The tokens of the token file, or none when no file is configured (then every request is
 * allowed). The file is read at start-up, where any problem stops the application, and again
 * whenever it changes (its inode, modification time or size); a version that cannot be used — a
 * malformed line, an empty file, a file changing while read — is logged and the tokens read
 * before stay in force, so that a half-written file neither locks everyone out nor opens the
 * service. Replacing the file by a rename is the safe way to edit it.
 *
 * <p>Thread safety: any number of threads may call any method.
 */
public final class Tokens {

    private static final Logger LOG = Logger.getLogger(Tokens.class.getName());

    private final Path file;
    private volatile Loaded loaded;

    private Tokens(Path file, Loaded loaded) {
        this.file = file;
        this.loaded = loaded;
    }

    /** No token file: writes and reads need no token. */
    public static Tokens off() {
        return new Tokens(null, new Loaded(null, List.of(), false));
    }

    /** Reads the token file; any problem stops start-up with a {@link ConfigurationException}. */
    public static Tokens load(Path file) {
        try {
            Stamp stamp = stamp(file);
            Tokens tokens = new Tokens(file, null);
            tokens.loaded = new Loaded(stamp, tokens.parse(Files.readAllBytes(file)), false);
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
        if (Objects.equals(before, seen.stamp())) {
            return seen.tokens();
        }
        synchronized (this) { // one reload at a time, so that no thread stores an older outcome
            seen = loaded;
            if (Objects.equals(before, seen.stamp())) {
                return seen.tokens();
            }
            try {
                if (before == null) {
                    throw new IOException("it cannot be read");
                }
                byte[] content = Files.readAllBytes(file);
                if (!before.equals(stampOrNull())) {
                    return seen.tokens(); // changed while being read: read it again at the next request
                }
                if (content.length == 0) {
                    // What an editor leaves for a moment while it rewrites the file in place.
                    throw new ConfigurationException("the file is empty; to revoke every token, leave a comment line");
                }
                loaded = new Loaded(before, parse(content), false);
                LOG.info("token file " + file.toAbsolutePath() + " changed: " + loaded.tokens().size() + " tokens");
            } catch (IOException | ConfigurationException e) {
                if (!seen.failed() || !Objects.equals(before, seen.stamp())) { // log each bad version once
                    LOG.severe("token file " + file.toAbsolutePath() + " changed but cannot be used, keeping the "
                            + seen.tokens().size() + " tokens read before: " + e.getMessage());
                }
                loaded = new Loaded(before, seen.tokens(), true);
            }
            return loaded.tokens();
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
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Identifies one version of the file: an edit in place or a replacement both change it. */
    private record Stamp(Object fileKey, FileTime modified, long size) {
    }

    /** The tokens in force, and the file's version they came from or, when {@code failed}, could not be read from. */
    private record Loaded(Stamp stamp, List<Token> tokens, boolean failed) {
    }
}
