package io.gitops.status.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.gitops.status.config.AppConfig;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The issue 5 and 9 settings, and notifyFile: each read from the servlet context parameter, else the system property,
 * else the environment variable, else its default; a bad value stops start-up with a message
 * naming the setting and where the value came from.
 */
class AppConfigTest {

    /** Context parameter, system property, environment variable of each new setting. */
    private static final String[][] SETTINGS = {
        {"staleAfter", "gitops.stale.after", "STALE_AFTER"},
        {"retainFor", "gitops.retain.for", "RETAIN_FOR"},
        {"historySize", "gitops.history.size", "HISTORY_SIZE"},
        {"tokenFile", "gitops.token.file", "TOKEN_FILE"},
        {"maxHosts", "gitops.max.hosts", "MAX_HOSTS"},
        {"maxChangedFiles", "gitops.max.changed.files", "MAX_CHANGED_FILES"},
        {"maxChangedFilesBytes", "gitops.max.changed.files.bytes", "MAX_CHANGED_FILES_BYTES"},
        {"storeUrl", "gitops.store.url", "STORE_URL"},
        {"storePasswordFile", "gitops.store.password.file", "STORE_PASSWORD_FILE"},
        {"importFile", "gitops.import.file", "IMPORT_FILE"},
        {"notifyFile", "gitops.notify.file", "NOTIFY_FILE"},
    };

    private static UnaryOperator<String> context(String... nameValues) {
        Map<String, String> parameters = new HashMap<>();
        for (int i = 0; i < nameValues.length; i += 2) {
            parameters.put(nameValues[i], nameValues[i + 1]);
        }
        return parameters::get;
    }

    /** Runs {@code body} with the system properties set (null: cleared), then restores them. */
    private static void withProperties(Map<String, String> properties, Runnable body) {
        Map<String, String> saved = new HashMap<>();
        for (String name : properties.keySet()) {
            saved.put(name, System.getProperty(name));
        }
        try {
            properties.forEach((name, value) -> {
                if (value == null) {
                    System.clearProperty(name);
                } else {
                    System.setProperty(name, value);
                }
            });
            body.run();
        } finally {
            saved.forEach((name, value) -> {
                if (value == null) {
                    System.clearProperty(name);
                } else {
                    System.setProperty(name, value);
                }
            });
        }
    }

    /** Every new setting's system property cleared, then the given ones set. */
    private static void withOnly(Map<String, String> set, Runnable body) {
        Map<String, String> properties = new LinkedHashMap<>();
        for (String[] setting : SETTINGS) {
            properties.put(setting[1], null);
        }
        properties.putAll(set);
        withProperties(properties, body);
    }

    private static void assumeNoEnvironment() {
        for (String[] setting : SETTINGS) {
            assumeTrue(System.getenv(setting[2]) == null, setting[2] + " is set in this environment");
        }
    }

    private static AppConfig.ConfigurationException refused(UnaryOperator<String> context) {
        return assertThrows(AppConfig.ConfigurationException.class, () -> AppConfig.read(context));
    }

    // ---- defaults and precedence ------------------------------------------------------------

    @Test
    void defaultsWhenNothingIsSet() {
        assumeNoEnvironment();
        withOnly(Map.of(), () -> {
            AppConfig config = AppConfig.read(context("statusFile", "/tmp/x/status.json"));
            assertEquals(Duration.ofMinutes(30), config.staleAfter());
            assertEquals(Optional.empty(), config.retainFor(), "retention is off by default");
            assertEquals(20, config.historySize());
            assertEquals(Optional.empty(), config.tokenFile(), "tokens are off by default");
            assertEquals(Optional.empty(), config.notifyFile(), "notifications are off by default");
            assertEquals(new AppConfig.Limits(1_000_000, 10_000, 1_048_576), config.limits());
        });
        AppConfig given = AppConfig.forStatusFile(Path.of("/tmp/x/status.json"));
        assertEquals(new AppConfig.Limits(1_000_000, 10_000, 1_048_576), given.limits());
        assertEquals(Duration.ofMinutes(30), given.staleAfter());
        assertEquals(Optional.empty(), given.retainFor());
        assertEquals(20, given.historySize());
        assertEquals(Optional.empty(), given.tokenFile());
        assertEquals(Optional.empty(), given.notifyFile());
    }

    @Test
    void theSystemPropertyIsUsedWhenThereIsNoContextParameter() {
        assumeNoEnvironment();
        withOnly(Map.of("gitops.stale.after", "PT5M", "gitops.retain.for", "P7D", "gitops.history.size", "50",
                "gitops.token.file", "/etc/gitops/tokens", "gitops.max.hosts", "500", "gitops.max.changed.files", "60",
                "gitops.max.changed.files.bytes", "7000", "gitops.notify.file", "/etc/gitops/notify.yaml"), () -> {
                    AppConfig config = AppConfig.read(context());
                    assertEquals(Optional.of(Path.of("/etc/gitops/notify.yaml")), config.notifyFile());
                    assertEquals(new AppConfig.Limits(500, 60, 7000), config.limits());
                    assertEquals(Duration.ofMinutes(5), config.staleAfter());
                    assertEquals(Optional.of(Duration.ofDays(7)), config.retainFor());
                    assertEquals(50, config.historySize());
                    assertEquals(Optional.of(Path.of("/etc/gitops/tokens")), config.tokenFile());
                });
    }

    @Test
    void theContextParameterWinsOverTheSystemProperty() {
        withOnly(Map.of("gitops.stale.after", "PT5M", "gitops.retain.for", "P7D", "gitops.history.size", "50",
                "gitops.token.file", "/etc/gitops/tokens", "gitops.max.hosts", "500", "gitops.max.changed.files", "60",
                "gitops.max.changed.files.bytes", "7000", "gitops.notify.file", "/etc/gitops/notify.yaml"), () -> {
                    AppConfig config = AppConfig.read(context("staleAfter", "PT7M", "retainFor", "PT12H",
                            "historySize", "5", "tokenFile", "/srv/tokens", "maxHosts", "9", "maxChangedFiles", "8",
                            "maxChangedFilesBytes", "7", "notifyFile", "/srv/notify.yaml"));
                    assertEquals(Optional.of(Path.of("/srv/notify.yaml")), config.notifyFile());
                    assertEquals(new AppConfig.Limits(9, 8, 7), config.limits());
                    assertEquals(Duration.ofMinutes(7), config.staleAfter());
                    assertEquals(Optional.of(Duration.ofHours(12)), config.retainFor());
                    assertEquals(5, config.historySize());
                    assertEquals(Optional.of(Path.of("/srv/tokens")), config.tokenFile());
                });
    }

    @Test
    void aBlankContextParameterCountsAsUnsetAndValuesAreTrimmed() {
        withOnly(Map.of("gitops.stale.after", " PT5M ", "gitops.history.size", "50", "gitops.notify.file",
                " /etc/notify.yaml "), () -> {
            AppConfig config = AppConfig.read(context("staleAfter", "  ", "historySize", " 9 ", "notifyFile", " "));
            assertEquals(Duration.ofMinutes(5), config.staleAfter(), "blank parameter: the property");
            assertEquals(9, config.historySize());
            assertEquals(Optional.of(Path.of("/etc/notify.yaml")), config.notifyFile(), "blank parameter, trimmed property");
        });
    }

    @Test
    void eachSettingIsReadOnItsOwn() {
        assumeNoEnvironment();
        withOnly(Map.of("gitops.history.size", "50"), () -> {
            AppConfig config = AppConfig.read(context("staleAfter", "PT1H"));
            assertEquals(Duration.ofHours(1), config.staleAfter());
            assertEquals(50, config.historySize());
            assertEquals(Optional.empty(), config.retainFor());
            assertEquals(Optional.empty(), config.tokenFile());
            assertEquals(Optional.empty(), config.notifyFile());
            assertEquals(AppConfig.Limits.DEFAULTS, config.limits());
        });
        withOnly(Map.of("gitops.notify.file", "/etc/notify.yaml"), () -> {
            AppConfig config = AppConfig.read(context());
            assertEquals(Optional.of(Path.of("/etc/notify.yaml")), config.notifyFile());
            assertEquals(Optional.empty(), config.tokenFile());
        });
        withOnly(Map.of("gitops.max.changed.files", "5"), () ->
                assertEquals(new AppConfig.Limits(1_000_000, 5, 1_048_576), AppConfig.read(context()).limits()));
    }

    @Test
    void validValues() {
        withOnly(Map.of(), () -> {
            assertEquals(Duration.ofDays(30), AppConfig.read(context("retainFor", "P30D")).retainFor().orElseThrow());
            assertEquals(Duration.ofSeconds(90), AppConfig.read(context("staleAfter", "PT1M30S")).staleAfter());
            assertEquals(1, AppConfig.read(context("historySize", "1")).historySize());
            assertEquals(1000, AppConfig.read(context("historySize", "1000")).historySize());
            assertEquals(1, AppConfig.read(context("maxHosts", "1")).limits().maxHosts());
            assertEquals(Integer.MAX_VALUE, AppConfig.read(context("maxHosts", "2147483647")).limits().maxHosts());
            // No changed files at all, or no names longer than nothing: an operator's choice.
            assertEquals(0, AppConfig.read(context("maxChangedFiles", "0")).limits().maxChangedFiles());
            assertEquals(0, AppConfig.read(context("maxChangedFilesBytes", "0")).limits().maxChangedFilesBytes());
        });
    }

    // ---- bad values -------------------------------------------------------------------------

    @Test
    void theFileStoreUnlessAStoreUrlIsSet(@org.junit.jupiter.api.io.TempDir Path folder) throws Exception {
        assumeNoEnvironment();
        withOnly(Map.of(), () -> assertEquals(Optional.empty(), AppConfig.read(context()).database()));
        Path password = java.nio.file.Files.writeString(folder.resolve("password"), "s3cret\n");
        withOnly(Map.of(), () -> {
            AppConfig.Database db = AppConfig.read(context("storeUrl", "jdbc:postgresql://db:5432/gs?user=gs",
                    "storePasswordFile", password.toString(), "importFile", "/var/lib/gs/status.json")).database()
                    .orElseThrow();
            assertEquals("jdbc:postgresql://db:5432/gs?user=gs", db.url());
            assertEquals(Optional.of(password), db.passwordFile());
            assertEquals(Optional.of(Path.of("/var/lib/gs/status.json")), db.importFile());
            assertEquals("context parameter storeUrl", db.urlSource());
        });
    }

    @Test
    void theStoreUrlIsShownWithoutCredentials() {
        for (String[] shown : List.of(
                new String[] {"jdbc:postgresql://db:5432/gs?user=gs&password=s3cret", "jdbc:postgresql://db:5432/gs"},
                new String[] {"jdbc:postgresql://db/gs?password=s3cret&ssl=true&user=gs", "jdbc:postgresql://db/gs?ssl=true"},
                new String[] {"jdbc:postgresql://db/gs?ssl=true&PASSWORD=s3cret", "jdbc:postgresql://db/gs?ssl=true"},
                new String[] {"jdbc:postgresql://gs:s3cret@db/gs", "jdbc:postgresql://db/gs"},
                new String[] {"jdbc:postgresql://db/gs", "jdbc:postgresql://db/gs"})) {
            assertEquals(shown[1], AppConfig.Database.at(shown[0]).displayUrl(), shown[0]);
        }
        withOnly(Map.of(), () -> {
            String message = refused(context("storeUrl", "postgres://gs:s3cret@db/gs?password=s3cret")).getMessage();
            assertTrue(message.contains("storeUrl") && message.contains("jdbc:postgresql:"), message);
            assertFalse(message.contains("s3cret"), "no password in the message: " + message);
        });
    }

    @Test
    void anUnreadablePasswordFileStopsTheStart() {
        withOnly(Map.of(), () -> {
            String message = refused(context("storeUrl", "jdbc:postgresql://db/gs",
                    "storePasswordFile", "/nonexistent/password")).getMessage();
            assertTrue(message.contains("storePasswordFile") && message.contains("/nonexistent/password"), message);
        });
    }

    @Test
    void aBadValueIsRefusedNamingTheSettingAndItsSource() {
        withOnly(Map.of(), () -> {
            for (String[] bad : List.of(
                    new String[] {"staleAfter", "abc"},
                    new String[] {"staleAfter", "PT0S"},
                    new String[] {"staleAfter", "-PT1M"},
                    new String[] {"staleAfter", "30"},
                    new String[] {"retainFor", "P"},
                    new String[] {"retainFor", "PT0S"},
                    new String[] {"retainFor", "-P1D"},
                    new String[] {"retainFor", "P36501D"},
                    new String[] {"staleAfter", "PT999999999999H"},
                    new String[] {"historySize", "-1"},
                    new String[] {"historySize", "x"},
                    new String[] {"historySize", "2.5"},
                    new String[] {"historySize", "99999999999"},
                    new String[] {"maxHosts", "0"},
                    new String[] {"maxHosts", "-5"},
                    new String[] {"maxHosts", "1e6"},
                    new String[] {"maxHosts", "1,000,000"},
                    new String[] {"maxHosts", "2147483648"},
                    new String[] {"maxChangedFiles", "-1"},
                    new String[] {"maxChangedFiles", "many"},
                    new String[] {"maxChangedFilesBytes", "1MiB"},
                    new String[] {"maxChangedFilesBytes", "-1"})) {
                String message = refused(context(bad[0], bad[1])).getMessage();
                assertTrue(message.contains(bad[0]), bad[0] + "=" + bad[1] + ": " + message);
                assertTrue(message.contains("context parameter"), bad[0] + "=" + bad[1] + ": " + message);
                assertTrue(message.contains(bad[1]), "the value is shown: " + message);
            }
        });
    }

    @Test
    void aBadSystemPropertyIsNamedAsSuch() {
        assumeNoEnvironment();
        withOnly(Map.of("gitops.stale.after", "abc"), () -> {
            String message = refused(context()).getMessage();
            assertTrue(message.contains("staleAfter"), message);
            assertTrue(message.contains("system property gitops.stale.after"), message);
        });
        withOnly(Map.of("gitops.history.size", "-1"), () -> {
            String message = refused(context()).getMessage();
            assertTrue(message.contains("historySize"), message);
            assertTrue(message.contains("system property gitops.history.size"), message);
        });
        withOnly(Map.of("gitops.max.changed.files.bytes", "lots"), () -> {
            String message = refused(context()).getMessage();
            assertTrue(message.contains("maxChangedFilesBytes"), message);
            assertTrue(message.contains("system property gitops.max.changed.files.bytes"), message);
        });
        // A good context parameter hides a bad property.
        withOnly(Map.of("gitops.retain.for", "nonsense"), () ->
                assertEquals(Duration.ofDays(1), AppConfig.read(context("retainFor", "P1D")).retainFor().orElseThrow()));
    }

    @Test
    void aBadSettingStopsTheWebApplicationBeforeAnythingIsRegistered() {
        List<String> calls = new ArrayList<>();
        Map<String, String> parameters = Map.of("statusFile", "/tmp/never/status.json", "staleAfter", "abc");
        ServletContext servletContext = (ServletContext) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {ServletContext.class}, (proxy, method, args) -> {
                    calls.add(method.getName());
                    return switch (method.getName()) {
                        case "getInitParameter" -> parameters.get((String) args[0]);
                        case "getContextPath" -> "/gitops-status";
                        default -> null;
                    };
                });
        withOnly(Map.of(), () -> {
            AppConfig.ConfigurationException e = assertThrows(AppConfig.ConfigurationException.class,
                    () -> new WebAppBootstrap().contextInitialized(new ServletContextEvent(servletContext)));
            assertTrue(e.getMessage().contains("staleAfter"), e.getMessage());
        });
        assertTrue(calls.stream().noneMatch(name -> name.startsWith("add")), "registered something: " + calls);
    }

    // ---- environment variables: only settable in a new JVM ----------------------------------

    /** Prints the configuration read with the context parameters given as name=value arguments. */
    public static final class EnvProbe {
        public static void main(String[] args) {
            Map<String, String> parameters = new HashMap<>();
            for (String arg : args) {
                int eq = arg.indexOf('=');
                parameters.put(arg.substring(0, eq), arg.substring(eq + 1));
            }
            try {
                AppConfig config = AppConfig.read(parameters::get);
                System.out.println(config.staleAfter() + "|" + config.retainFor().map(Object::toString).orElse("off")
                        + "|" + config.historySize() + "|" + config.tokenFile().map(Object::toString).orElse("off")
                        + "|" + config.limits().maxHosts() + "|" + config.limits().maxChangedFiles() + "|"
                        + config.limits().maxChangedFilesBytes() + "|"
                        + config.notifyFile().map(Object::toString).orElse("off"));
            } catch (AppConfig.ConfigurationException e) {
                System.out.println("refused: " + e.getMessage());
            }
        }
    }

    private static String probe(Map<String, String> environment, List<String> jvmOptions, String... parameters)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(EnvProbe.class.getName());
        command.addAll(List.of(parameters));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        for (String[] setting : SETTINGS) {
            builder.environment().remove(setting[2]);
        }
        builder.environment().putAll(environment);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "probe did not finish");
        assertEquals(0, process.exitValue(), output);
        return output;
    }

    @Test
    void theEnvironmentVariableIsUsedWhenNeitherParameterNorPropertyIsSet() throws Exception {
        Map<String, String> environment = Map.of("STALE_AFTER", "PT9M", "RETAIN_FOR", "P2D", "HISTORY_SIZE", "7",
                "TOKEN_FILE", "/etc/env-tokens", "MAX_HOSTS", "300", "MAX_CHANGED_FILES", "30",
                "MAX_CHANGED_FILES_BYTES", "3000", "NOTIFY_FILE", "/etc/env-notify.yaml");
        assertEquals("PT9M|PT48H|7|/etc/env-tokens|300|30|3000|/etc/env-notify.yaml", probe(environment, List.of()));
        // The property wins over the environment, the context parameter over both.
        assertEquals("PT9M|PT5H|8|/etc/env-tokens|400|40|3000|/etc/prop-notify.yaml", probe(environment,
                List.of("-Dgitops.history.size=8", "-Dgitops.retain.for=PT6H", "-Dgitops.max.hosts=400",
                        "-Dgitops.notify.file=/etc/prop-notify.yaml"), "retainFor=PT5H", "maxChangedFiles=40"));
        assertEquals("PT9M|PT48H|7|/etc/env-tokens|300|30|3000|/etc/ctx-notify.yaml", probe(environment,
                List.of("-Dgitops.notify.file=/etc/prop-notify.yaml"), "notifyFile=/etc/ctx-notify.yaml"));
        // Nothing set anywhere: the defaults.
        assertEquals("PT30M|off|20|off|1000000|10000|1048576|off", probe(Map.of(), List.of()));
    }

    @Test
    void aBadEnvironmentVariableIsNamedAsSuch() throws Exception {
        String output = probe(Map.of("HISTORY_SIZE", "x"), List.of());
        assertTrue(output.startsWith("refused: "), output);
        assertTrue(output.contains("historySize"), output);
        assertTrue(output.contains("environment variable HISTORY_SIZE"), output);
        String stale = probe(Map.of("STALE_AFTER", "PT0S"), List.of());
        assertTrue(stale.contains("staleAfter") && stale.contains("environment variable STALE_AFTER"), stale);
        String hosts = probe(Map.of("MAX_HOSTS", "0"), List.of());
        assertTrue(hosts.contains("maxHosts") && hosts.contains("environment variable MAX_HOSTS"), hosts);
    }
}
