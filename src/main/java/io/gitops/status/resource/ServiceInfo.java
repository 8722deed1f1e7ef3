package io.gitops.status.resource;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** The application's name and version, from the build. */
public final class ServiceInfo {

    public static final String NAME = "gitops-status-api";

    private static final String VERSION = load();

    private ServiceInfo() {
    }

    public static String version() {
        return VERSION;
    }

    private static String load() {
        try (InputStream in = ServiceInfo.class.getResourceAsStream("/gitops-status.properties")) {
            Properties properties = new Properties();
            if (in != null) {
                properties.load(in);
            }
            return properties.getProperty("version", "unknown");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
