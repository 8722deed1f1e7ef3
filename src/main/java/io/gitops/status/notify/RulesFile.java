package io.gitops.status.notify;

import io.gitops.status.config.AppConfig.ConfigurationException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * The rules file, read again when it (or a webhook's secret file) changes: content compared by
 * SHA-256, so an edit within the file system's time resolution is seen too. A file that no longer
 * reads keeps the rules read last, and says why once.
 */
public final class RulesFile {

    private static final Logger LOG = Logger.getLogger(RulesFile.class.getName());

    private final Path file;
    private RuleSet rules;
    private byte[] fingerprint;
    private String lastProblem;

    /**
     * Reads the rules.
     *
     * @throws ConfigurationException naming the file and the line, when the file cannot be used
     */
    public RulesFile(Path file) {
        this.file = file;
        this.rules = RuleSet.read(file);
        this.fingerprint = fingerprint(rules);
    }

    RuleSet rules() {
        return rules;
    }

    Path path() {
        return file;
    }

    /** The rules read again when the files changed and read well; empty otherwise. */
    Optional<RuleSet> reloaded() {
        byte[] now = fingerprint(rules);
        if (Arrays.equals(now, fingerprint)) {
            return Optional.empty();
        }
        try {
            RuleSet read = RuleSet.read(file);
            rules = read;
            fingerprint = fingerprint(read);
            lastProblem = null;
            LOG.info("notifications: rules read again from " + file + ": " + read.rules().size() + " rule(s), "
                    + read.receivers().size() + " receiver(s)");
            return Optional.of(read);
        } catch (ConfigurationException e) {
            if (!e.getMessage().equals(lastProblem)) {
                LOG.warning("notifications: the rules file changed but cannot be used; the rules read before stay: "
                        + e.getMessage());
                lastProblem = e.getMessage();
            }
            fingerprint = now; // said once; read again at the next change
            return Optional.empty();
        }
    }

    /** A hash of the rules file and of each secret file the rules name. */
    private byte[] fingerprint(RuleSet current) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(read(file));
            for (ReceiverSpec receiver : current.receivers().values()) {
                if (receiver.webhook() != null && receiver.webhook().secretFile() != null) {
                    digest.update(read(file.toAbsolutePath().resolveSibling(receiver.webhook().secretFile())));
                }
            }
            return digest.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    private static byte[] read(Path path) {
        try {
            return Files.readAllBytes(path);
        } catch (IOException e) {
            return ("unreadable: " + e).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
    }
}
