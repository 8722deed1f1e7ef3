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
        this.rules = readRules(file);
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
            RuleSet read = readRules(file);
            rules = read;
            fingerprint = now; // what was read, or newer: an edit landing meanwhile is read at the next look
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
            // read again at each look (a secret file the new rules name may appear), said once
            return Optional.empty();
        }
    }

    /** The rules; whatever goes wrong reading them is a mistake of the file, named as such. */
    private static RuleSet readRules(Path file) {
        try {
            return RuleSet.read(file);
        } catch (ConfigurationException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new ConfigurationException("notifyFile " + file + ": cannot be used: " + e);
        }
    }

    /** A hash of the rules file and of each secret file the rules name. */
    private byte[] fingerprint(RuleSet current) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(read(file));
            for (ReceiverSpec receiver : current.receivers().values()) {
                if (receiver.webhook() != null && receiver.webhook().secretFile() != null) {
                    digest.update(read(receiver.webhook().secretPath(file)));
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
