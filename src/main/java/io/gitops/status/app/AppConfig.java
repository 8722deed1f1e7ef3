package io.gitops.status.app;

import java.nio.file.Path;
import java.util.function.UnaryOperator;

/**
 * The application's configuration, read once at start-up. Each setting is taken from the first
 * source that sets it: servlet context parameter, system property, environment variable, default.
 *
 * @param statusFile the data file
 * @param statusFileSource where {@code statusFile} came from, for the start-up log
 */
public record AppConfig(Path statusFile, String statusFileSource) {

    public static final String DEFAULT_STATUS_FILE = "/data/status.json";

    /** Reads the configuration, looking context parameters up with {@code contextParameter}. */
    public static AppConfig read(UnaryOperator<String> contextParameter) {
        Setting file = Setting.read(contextParameter, "statusFile", "gitops.status.file", "STATUS_FILE",
                DEFAULT_STATUS_FILE);
        return new AppConfig(Path.of(file.value()), file.source());
    }

    /** A configuration with the data file given directly (tests, embedding). */
    public static AppConfig forStatusFile(Path statusFile) {
        return new AppConfig(statusFile, "given");
    }

    private record Setting(String value, String source) {
        static Setting read(UnaryOperator<String> contextParameter, String parameter, String property,
                String environment, String defaultValue) {
            if (isSet(contextParameter.apply(parameter))) {
                return new Setting(contextParameter.apply(parameter).trim(), "context parameter " + parameter);
            }
            if (isSet(System.getProperty(property))) {
                return new Setting(System.getProperty(property).trim(), "system property " + property);
            }
            if (isSet(System.getenv(environment))) {
                return new Setting(System.getenv(environment).trim(), "environment variable " + environment);
            }
            return new Setting(defaultValue, "default");
        }

        private static boolean isSet(String value) {
            return value != null && !value.isBlank();
        }
    }
}
