package io.gitops.status.config;

import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * The application's configuration, read once at start-up. Each setting is taken from the first
 * source that sets it: servlet context parameter, system property, environment variable, default.
 * A value that cannot be used stops start-up with a {@link ConfigurationException} naming the
 * setting and where it came from.
 *
 * @param statusFile the data file
 * @param statusFileSource where {@code statusFile} came from, for the start-up log
 * @param tokenFile the token file; empty when writes need no token
 * @param staleAfter how long after its last drift check a host counts as stale
 * @param retainFor how long after it was last seen a host is removed; empty to keep hosts
 * @param historySize how many status transitions each record keeps
 * @param limits the caps on what the store and one record may hold
 * @param database the PostgreSQL store's settings; empty for the file store at {@code statusFile}
 * @param notifyFile the notification rules file; empty when nothing is notified
 */
public record AppConfig(Path statusFile, String statusFileSource, Optional<Path> tokenFile, Duration staleAfter,
        Optional<Duration> retainFor, int historySize, Limits limits, Optional<Database> database,
        Optional<Path> notifyFile) {

    public static final String DEFAULT_STATUS_FILE = "/data/status.json";
    public static final Duration DEFAULT_STALE_AFTER = Duration.ofMinutes(30);
    public static final int DEFAULT_HISTORY_SIZE = 20;
    /** A record is rewritten with its whole history on every write: keep that bounded. */
    public static final int MAX_HISTORY_SIZE = 1000;
    /** Longer durations are typing mistakes, and would overflow the arithmetic on instants. */
    public static final Duration MAX_DURATION = Duration.ofDays(36_500);

    /** Reads the configuration, looking context parameters up with {@code contextParameter}. */
    public static AppConfig read(UnaryOperator<String> contextParameter) {
        Setting file = Setting.read(contextParameter, "statusFile", "gitops.status.file", "STATUS_FILE");
        Setting tokens = Setting.read(contextParameter, "tokenFile", "gitops.token.file", "TOKEN_FILE");
        Setting stale = Setting.read(contextParameter, "staleAfter", "gitops.stale.after", "STALE_AFTER");
        Setting retain = Setting.read(contextParameter, "retainFor", "gitops.retain.for", "RETAIN_FOR");
        Setting history = Setting.read(contextParameter, "historySize", "gitops.history.size", "HISTORY_SIZE");
        Setting hosts = Setting.read(contextParameter, "maxHosts", "gitops.max.hosts", "MAX_HOSTS");
        Setting files = Setting.read(contextParameter, "maxChangedFiles", "gitops.max.changed.files",
                "MAX_CHANGED_FILES");
        Setting fileBytes = Setting.read(contextParameter, "maxChangedFilesBytes", "gitops.max.changed.files.bytes",
                "MAX_CHANGED_FILES_BYTES");
        Setting storeUrl = Setting.read(contextParameter, "storeUrl", "gitops.store.url", "STORE_URL");
        Setting password = Setting.read(contextParameter, "storePasswordFile", "gitops.store.password.file",
                "STORE_PASSWORD_FILE");
        Setting importFile = Setting.read(contextParameter, "importFile", "gitops.import.file", "IMPORT_FILE");
        Setting notify = Setting.read(contextParameter, "notifyFile", "gitops.notify.file", "NOTIFY_FILE");
        return new AppConfig(
                Path.of(file.orElse(DEFAULT_STATUS_FILE)),
                file.source(),
                Optional.ofNullable(tokens.value()).map(Path::of),
                stale.value() == null ? DEFAULT_STALE_AFTER : stale.positiveDuration(),
                Optional.ofNullable(retain.value() == null ? null : retain.positiveDuration()),
                history.value() == null ? DEFAULT_HISTORY_SIZE : history.integer(0, MAX_HISTORY_SIZE),
                new Limits(
                        hosts.value() == null ? Limits.DEFAULTS.maxHosts() : hosts.integer(1, Integer.MAX_VALUE),
                        files.value() == null ? Limits.DEFAULTS.maxChangedFiles() : files.integer(0, Integer.MAX_VALUE),
                        fileBytes.value() == null ? Limits.DEFAULTS.maxChangedFilesBytes()
                                : fileBytes.integer(0, Integer.MAX_VALUE)),
                storeUrl.value() == null ? Optional.empty() : Optional.of(new Database(storeUrl.postgresUrl(),
                        storeUrl.source(), password.readableFile(), Optional.ofNullable(importFile.value()).map(Path::of))),
                Optional.ofNullable(notify.value()).map(Path::of));
    }

    /** A configuration with the data file given directly and every other setting at its default. */
    public static AppConfig forStatusFile(Path statusFile) {
        return new AppConfig(statusFile, "given", Optional.empty(), DEFAULT_STALE_AFTER, Optional.empty(),
                DEFAULT_HISTORY_SIZE, Limits.DEFAULTS, Optional.empty(), Optional.empty());
    }

    public AppConfig withTokenFile(Path file) {
        return new AppConfig(statusFile, statusFileSource, Optional.of(file), staleAfter, retainFor, historySize,
                limits, database, notifyFile);
    }

    public AppConfig withStaleAfter(Duration duration) {
        return new AppConfig(statusFile, statusFileSource, tokenFile, duration, retainFor, historySize, limits, database, notifyFile);
    }

    public AppConfig withRetainFor(Duration duration) {
        return new AppConfig(statusFile, statusFileSource, tokenFile, staleAfter, Optional.of(duration), historySize,
                limits, database, notifyFile);
    }

    public AppConfig withHistorySize(int size) {
        return new AppConfig(statusFile, statusFileSource, tokenFile, staleAfter, retainFor, size, limits, database, notifyFile);
    }

    /** This configuration on the PostgreSQL store at {@code url} (the password, if any, in the URL). */
    public AppConfig withDatabase(Database settings) {
        return new AppConfig(statusFile, statusFileSource, tokenFile, staleAfter, retainFor, historySize, limits,
                Optional.of(settings), notifyFile);
    }

    public AppConfig withNotifyFile(Path file) {
        return new AppConfig(statusFile, statusFileSource, tokenFile, staleAfter, retainFor, historySize, limits,
                database, Optional.of(file));
    }

    public AppConfig withLimits(Limits caps) {
        return new AppConfig(statusFile, statusFileSource, tokenFile, staleAfter, retainFor, historySize, caps, database, notifyFile);
    }

    /**
     * The caps that keep one client from growing the store without bound.
     *
     * @param maxHosts records the store may hold; a write that would create one more is refused
     * @param maxChangedFiles entries of one record's {@code changed_files}
     * @param maxChangedFilesBytes UTF-8 bytes of the names in one record's {@code changed_files}, all together
     */
    public record Limits(int maxHosts, int maxChangedFiles, int maxChangedFilesBytes) {

        /**
         * A million hosts; 10,000 changed files, the hard rule before the caps were settings; and
         * 1 MiB of names, the body limit, so that by default every body accepted before is accepted
         * still: lower it to bound the memory a host may take.
         */
        public static final Limits DEFAULTS = new Limits(1_000_000, 10_000, 1024 * 1024);
    }

    /**
     * The PostgreSQL store's settings.
     *
     * @param url a {@code jdbc:postgresql:} URL; it may carry the user and the password
     * @param urlSource where {@code url} came from, for the start-up log
     * @param passwordFile a file whose first line is the password, when the URL has none
     * @param importFile a data file to import when the database holds no host at start
     */
    public record Database(String url, String urlSource, Optional<Path> passwordFile, Optional<Path> importFile) {

        public static Database at(String url) {
            return new Database(url, "given", Optional.empty(), Optional.empty());
        }

        /** The URL as logs, {@code /ready} and {@code GET /} show it: without user or password. */
        public String displayUrl() {
            return redact(url);
        }

        /** A URL without credentials: user and password, as query parameters or before the host. */
        static String redact(String url) {
            return url.replaceAll("(?i)([?&;])(password|user)=[^&;]*", "$1")
                    .replaceAll("([?&;])[&;]+", "$1")
                    .replaceAll("[?&;]+$", "")
                    .replaceFirst("//[^/@?]*@", "//");
        }

        public Database withImportFile(Path file) {
            return new Database(url, urlSource, passwordFile, Optional.of(file));
        }
    }

    /** A setting that cannot be used; its message names the setting and where its value came from. */
    public static final class ConfigurationException extends RuntimeException {
        public ConfigurationException(String message) {
            super(message);
        }
    }

    /** One setting's value ({@code null} when unset) and where it came from. */
    private record Setting(String name, String value, String source) {

        static Setting read(UnaryOperator<String> contextParameter, String parameter, String property,
                String environment) {
            if (isSet(contextParameter.apply(parameter))) {
                return new Setting(parameter, contextParameter.apply(parameter).trim(), "context parameter " + parameter);
            }
            if (isSet(System.getProperty(property))) {
                return new Setting(parameter, System.getProperty(property).trim(), "system property " + property);
            }
            if (isSet(System.getenv(environment))) {
                return new Setting(parameter, System.getenv(environment).trim(), "environment variable " + environment);
            }
            return new Setting(parameter, null, "default");
        }

        String orElse(String defaultValue) {
            return value == null ? defaultValue : value;
        }

        Duration positiveDuration() {
            try {
                Duration duration = Duration.parse(value);
                if (duration.isNegative() || duration.isZero() || duration.compareTo(MAX_DURATION) > 0) {
                    throw invalid("must be a positive duration of at most 100 years (P36500D)");
                }
                return duration;
            } catch (DateTimeParseException e) {
                throw invalid("must be an ISO-8601 duration such as PT30M, P7D");
            }
        }

        String postgresUrl() {
            if (!value.startsWith("jdbc:postgresql:")) {
                throw new ConfigurationException("setting " + name + " (from " + source + ") is '"
                        + Database.redact(value) + "': must be a PostgreSQL JDBC URL such as "
                        + "jdbc:postgresql://db.example:5432/gitops_status");
            }
            return value;
        }

        /** The path of a file that must be readable now; empty when unset. */
        Optional<Path> readableFile() {
            if (value == null) {
                return Optional.empty();
            }
            Path path = Path.of(value);
            if (!java.nio.file.Files.isReadable(path)) {
                throw invalid("the file cannot be read");
            }
            return Optional.of(path);
        }

        int integer(int min, int max) {
            try {
                int number = Integer.parseInt(value);
                if (number >= min && number <= max) {
                    return number;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw invalid("must be a whole number from " + min + " to " + max);
        }

        private ConfigurationException invalid(String rule) {
            return new ConfigurationException("setting " + name + " (from " + source + ") is '" + value + "': " + rule);
        }

        private static boolean isSet(String value) {
            return value != null && !value.isBlank();
        }
    }
}
