package io.gitops.status.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import org.codehaus.cargo.container.ContainerType;
import org.codehaus.cargo.container.InstalledLocalContainer;
import org.codehaus.cargo.container.configuration.ConfigurationType;
import org.codehaus.cargo.container.configuration.FileConfig;
import org.codehaus.cargo.container.configuration.LocalConfiguration;
import org.codehaus.cargo.container.configuration.StandaloneLocalConfiguration;
import org.codehaus.cargo.container.deployable.DeployableType;
import org.codehaus.cargo.container.deployable.WAR;
import org.codehaus.cargo.container.jetty.JettyPropertySet;
import org.codehaus.cargo.container.property.GeneralPropertySet;
import org.codehaus.cargo.container.property.ServletPropertySet;
import org.codehaus.cargo.container.tomcat.TomcatPropertySet;
import org.codehaus.cargo.generic.DefaultContainerFactory;
import org.codehaus.cargo.generic.configuration.DefaultConfigurationFactory;
import org.codehaus.cargo.generic.deployable.DefaultDeployableFactory;
import org.codehaus.cargo.util.XmlReplacement;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * One servlet container running the built WAR at {@code /gitops-status}, driven by Codehaus Cargo's
 * Java API: Tomcat 10.1 ({@code tomcat10x}), Tomcat 11 ({@code tomcat11x}) or Jetty 12 ee10
 * ({@code jetty12x}), installed from the distribution that the build unpacked (the container's
 * home), with a fresh standalone configuration (CATALINA_BASE / JETTY_BASE) under
 * {@code target/cargo-it/<id>/base}.
 *
 * <p>The data file is set the way an operator sets it: Tomcat gets the project's own context
 * descriptor {@code tomcat/conf/Catalina/localhost/gitops-status.xml} with only the
 * {@code statusFile} value pointed at {@code target/cargo-it/<id>/data/status.json}; Jetty gets the
 * equivalent context XML, built from the same descriptor. The data folder lies outside the base
 * folder, which Cargo regenerates at every start, so the data survives a restart the way it does
 * in production. The container JVM also gets the system property {@code gitops.status.file} set to
 * a decoy path: the context parameter must win over it, and should it not, nothing lands in
 * {@code /data} of the build machine.
 *
 * <p>Everything the container prints (its own log and the application's {@code java.util.logging}
 * lines) goes to {@link #log()}. The work folder is wiped when the helper is created.
 *
 * <p>{@link #fromSystemProperties(String, Map, Map)} makes a second kind of deployment of the same
 * WAR: its own work folder ({@code target/cargo-it/<id>-<name>}), further context parameters after
 * {@code statusFile} in the descriptor, and further system properties for the container JVM (decoys
 * that the context parameters must win over). {@link #rewriteDescriptor(Map)} changes the context
 * parameters of the running container, which redeploys the application. {@link #kill()} ends the
 * container's JVM with SIGKILL, after which {@link #start()} starts it again.
 */
final class CargoContainer {

    static final String CONTEXT = "gitops-status";
    /**
     * The application's start-up log line (WebAppBootstrap), one per start of the web application;
     * it goes on with the store: {@code data file ...} or {@code PostgreSQL store at ...}.
     */
    static final String START_LINE = "at context path '/" + CONTEXT + "': ";

    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);

    private final String id;
    private final Path home;
    private final Path warFile;
    private final Path workDir;
    private final Path baseDir;
    private final Path dataDir;
    private final Path statusFile;
    private final Path decoyStatusFile;
    private final Path log;
    private final Path projectDescriptor;
    private final int httpPort;
    private final LocalConfiguration configuration;
    private final Map<String, String> systemProperties;
    /** Cargo's container; a new one after {@link #kill()}, since Cargo's would still count itself started. */
    private InstalledLocalContainer container;
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    /** The container named by the failsafe execution: system properties {@code it.*} (see pom.xml). */
    static CargoContainer fromSystemProperties() throws IOException {
        String id = required("it.container");
        return new CargoContainer(id, Path.of(required("it.home." + id)), Path.of(required("it.war")),
                Path.of(required("it.workdir")).resolve(id), Path.of(required("it.contextDescriptor")),
                Map.of(), Map.of());
    }

    /**
     * The container named by the failsafe execution, with a work folder of its own
     * ({@code target/cargo-it/<id>-<name>}), {@code contextParameters} set in the descriptor after
     * {@code statusFile}, and {@code systemProperties} given to the container JVM besides the
     * decoy {@code gitops.status.file}.
     */
    static CargoContainer fromSystemProperties(String name, Map<String, String> contextParameters,
            Map<String, String> systemProperties) throws IOException {
        String id = required("it.container");
        return new CargoContainer(id, Path.of(required("it.home." + id)), Path.of(required("it.war")),
                Path.of(required("it.workdir")).resolve(id + "-" + name), Path.of(required("it.contextDescriptor")),
                contextParameters, systemProperties);
    }

    CargoContainer(String id, Path home, Path warFile, Path workDir, Path tomcatDescriptor,
            Map<String, String> contextParameters, Map<String, String> systemProperties) throws IOException {
        if (!Files.isDirectory(home)) {
            throw new IllegalStateException("no " + id + " installation at " + home
                    + " (maven-dependency-plugin unpacks it in pre-integration-test)");
        }
        if (!Files.isRegularFile(warFile)) {
            throw new IllegalStateException("no WAR at " + warFile + " (run mvn verify, not the IT alone)");
        }
        this.id = id;
        this.home = home.toAbsolutePath();
        this.warFile = warFile.toAbsolutePath();
        this.workDir = workDir.toAbsolutePath();
        this.baseDir = this.workDir.resolve("base");
        this.dataDir = this.workDir.resolve("data");
        this.statusFile = dataDir.resolve("status.json");
        this.decoyStatusFile = this.workDir.resolve("decoy/status.json");
        this.log = this.workDir.resolve("container.log");
        this.projectDescriptor = tomcatDescriptor;
        deleteRecursively(this.workDir);
        Files.createDirectories(this.workDir);
        this.httpPort = freePort();

        configuration = (LocalConfiguration) new DefaultConfigurationFactory()
                .createConfiguration(id, ContainerType.INSTALLED, ConfigurationType.STANDALONE, baseDir.toString());
        // Random free ports, so that other builds on the machine (and their 8080) never clash.
        configuration.setProperty(ServletPropertySet.PORT, Integer.toString(httpPort));
        configuration.setProperty(GeneralPropertySet.RMI_PORT, Integer.toString(freePort())); // shutdown / STOP.PORT
        configuration.setProperty(GeneralPropertySet.JVMARGS, "-Xmx256m -XX:TieredStopAtLevel=1 -Xshare:auto");
        configuration.setProperty(GeneralPropertySet.LOGGING, "medium");

        WAR war = (WAR) new DefaultDeployableFactory()
                .createDeployable(id, this.warFile.toString(), DeployableType.WAR);
        war.setContext(CONTEXT);

        if (id.startsWith("tomcat")) {
            configuration.setProperty(TomcatPropertySet.AJP_PORT, Integer.toString(freePort()));
            // The project's descriptor, with the data file pointed at the test folder.
            Path descriptor = write(CONTEXT + ".xml", descriptor(contextParameters));
            addFile(configuration, descriptor, "conf/Catalina/localhost", CONTEXT + ".xml");
            // HostConfig looks at webapps/ and the descriptors every backgroundProcessorDelay
            // (10 s by default): 1 s makes a hot redeploy take about 2 s instead of about 10.
            ((StandaloneLocalConfiguration) configuration).addXmlReplacement(new XmlReplacement("conf/server.xml",
                    "//Server/Service/Engine", "backgroundProcessorDelay",
                    XmlReplacement.ReplacementBehavior.THROW_EXCEPTION, "1"));
        } else if (id.startsWith("jetty")) {
            // Cargo copies the WAR to webapps/; a context XML of the same base name takes precedence
            // over the WAR there, and carries the context parameters.
            configuration.setProperty(JettyPropertySet.DEPLOYER_EE_VERSION, "ee10");
            configuration.setProperty(JettyPropertySet.DEPLOYER_CREATE_CONTEXT_XML, "false");
            // Just what a WAR needs; Cargo's default adds JSP, annotations and plus, which we do not use.
            configuration.setProperty(JettyPropertySet.MODULES, "server,http,ee10-deploy");
            addFile(configuration, write(CONTEXT + ".xml", descriptor(contextParameters)), "webapps", CONTEXT + ".xml");
            addFile(configuration, write(CONTEXT + ".properties", "environment=ee10\n"), "webapps",
                    CONTEXT + ".properties");
            // Jetty unpacks the WAR into java.io.tmpdir: keep that in the work folder, not /tmp.
            Path tmp = Files.createDirectories(this.workDir.resolve("tmp"));
            configuration.setProperty(GeneralPropertySet.JVMARGS,
                    configuration.getPropertyValue(GeneralPropertySet.JVMARGS) + " -Djava.io.tmpdir=" + tmp);
            // jetty-home's ee10-deploy does not scan (scanInterval=0), so it would never redeploy.
            addFile(configuration, write("cargo-it.ini", "jetty.deploy.scanInterval=1\n"), "start.d", "cargo-it.ini");
        } else {
            throw new IllegalArgumentException("unsupported container " + id);
        }
        configuration.addDeployable(war);

        this.systemProperties = new LinkedHashMap<>(systemProperties);
        this.systemProperties.put("gitops.status.file", decoyStatusFile.toString());
        container = newContainer();
    }

    private InstalledLocalContainer newContainer() {
        InstalledLocalContainer created = (InstalledLocalContainer) new DefaultContainerFactory()
                .createContainer(id, ContainerType.INSTALLED, configuration);
        created.setHome(home.toString());
        created.setSystemProperties(systemProperties);
        created.setOutput(log.toString());
        created.setAppend(true); // one log across restarts
        created.setTimeout(START_TIMEOUT.toMillis());
        return created;
    }

    String id() {
        return id;
    }

    /** {@code http://localhost:<port>/gitops-status} (no trailing slash). */
    String baseUrl() {
        return "http://localhost:" + httpPort + "/" + CONTEXT;
    }

    /** The data file that the context parameter names. */
    Path statusFile() {
        return statusFile;
    }

    Path dataDir() {
        return dataDir;
    }

    /** The data file the system property names; the context parameter must win over it. */
    Path decoyStatusFile() {
        return decoyStatusFile;
    }

    /** target/cargo-it/&lt;id&gt;: base, data, decoy, tmp, log; wiped when the helper is created. */
    Path workDir() {
        return workDir;
    }

    /** CATALINA_BASE / JETTY_BASE, regenerated by Cargo at every start; the JVM's working directory. */
    Path baseDir() {
        return baseDir;
    }

    /** The unpacked distribution (CATALINA_HOME / JETTY_HOME). */
    Path home() {
        return home;
    }

    /** Everything the container JVM printed, across restarts. */
    Path log() {
        return log;
    }

    /** The context descriptor inside the Tomcat base, or the context XML inside the Jetty base. */
    Path deployedDescriptor() {
        return id.startsWith("tomcat")
                ? baseDir.resolve("conf/Catalina/localhost/" + CONTEXT + ".xml")
                : baseDir.resolve("webapps/" + CONTEXT + ".xml");
    }

    boolean isStarted() {
        return container.getState().isStarted();
    }

    /**
     * Starts the container and waits for the application itself: Cargo only waits for its own
     * ping application, so this polls {@code /gitops-status/ready} until it answers 200 after a new
     * start-up line of the application appeared in the log.
     */
    void start() {
        List<String> before = appStarts();
        container.start();
        awaitNewAppStart(before.size());
    }

    /** Stops the container and waits until its JVM has exited (so every shutdown hook has run). */
    void stop() {
        List<ProcessHandle> jvms = containerJvms();
        if (jvms.isEmpty()) {
            throw new IllegalStateException(id + ": no running JVM with " + baseDir + " on its command line");
        }
        container.stop();
        for (ProcessHandle jvm : jvms) {
            try {
                jvm.onExit().get(60, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IllegalStateException(id + " JVM " + jvm.pid() + " did not exit after stop", e);
            }
        }
    }

    void restart() {
        stop();
        start();
    }

    /**
     * Kills the container's JVM with SIGKILL (as {@code kill -9 PID} would: no shutdown hook, no
     * undeploy, open connections simply dropped) and waits until it has exited; returns its PID.
     * {@link #start()} starts the container again afterwards, with the same ports and descriptor.
     */
    long kill() {
        List<ProcessHandle> jvms = containerJvms();
        if (jvms.size() != 1) {
            throw new IllegalStateException(id + ": expected one running JVM with " + baseDir
                    + " on its command line, found " + jvms.stream().map(ProcessHandle::pid).toList());
        }
        ProcessHandle jvm = jvms.get(0);
        jvm.destroyForcibly(); // SIGKILL on Unix
        try {
            jvm.onExit().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(id + " JVM " + jvm.pid() + " did not exit after SIGKILL", e);
        }
        container = newContainer();
        return jvm.pid();
    }

    /**
     * Hot redeploy of the same WAR into the running container, the way tomcat/README.md tells
     * operators to upgrade: atomically replace {@code webapps/gitops-status.war}, then wait for the
     * new instance of the application. Not Cargo's {@code Deployer.redeploy}: that deletes the WAR
     * and copies it again, and should Tomcat look in between it undeploys the application and
     * deletes the context descriptor, so that the application comes back without its
     * {@code statusFile}. Jetty deploys the context XML, not the WAR, so that is touched as well.
     */
    void redeploy() throws IOException {
        int before = appStarts().size();
        Path next = workDir.resolve(CONTEXT + ".war.next"); // same file system as the base
        Files.copy(warFile, next, StandardCopyOption.REPLACE_EXISTING);
        Files.setLastModifiedTime(next, FileTime.from(Instant.now()));
        Files.move(next, baseDir.resolve("webapps/" + CONTEXT + ".war"), StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
        if (id.startsWith("jetty")) {
            Files.setLastModifiedTime(deployedDescriptor(), FileTime.from(Instant.now()));
        }
        awaitNewAppStart(before);
    }

    /**
     * Replaces the deployed descriptor (Tomcat) or context XML (Jetty) with one whose context
     * parameters are {@code statusFile} and then {@code contextParameters}, in one atomic rename;
     * the container notices it within about two seconds and deploys the application again. Does not
     * wait: the new instance may fail to start on purpose. A later {@link #start()} uses it too.
     */
    void rewriteDescriptor(Map<String, String> contextParameters) throws IOException {
        Path source = write(CONTEXT + ".xml", descriptor(contextParameters));
        Path next = workDir.resolve(CONTEXT + ".xml.next"); // same file system as the base
        Files.copy(source, next, StandardCopyOption.REPLACE_EXISTING);
        Files.setLastModifiedTime(next, FileTime.from(Instant.now()));
        Files.move(next, deployedDescriptor(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Waits until the application has started more often than {@code startsBefore} and is ready. */
    void awaitAppStart(int startsBefore) {
        awaitNewAppStart(startsBefore);
    }

    /** The application's start-up lines in the log, oldest first. */
    List<String> appStarts() {
        return logLines().stream().filter(line -> line.contains(START_LINE)).toList();
    }

    List<String> logLines() {
        try {
            // ISO-8859-1 reads any bytes; the lines we look for are ASCII.
            return Files.exists(log) ? Files.readAllLines(log, StandardCharsets.ISO_8859_1) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String logTail(int lines) {
        List<String> all = logLines();
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    private void awaitNewAppStart(int startsBefore) {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        String last = "no answer yet";
        while (System.nanoTime() < deadline) {
            if (appStarts().size() > startsBefore) {
                try {
                    HttpResponse<String> ready = http.send(HttpRequest.newBuilder(URI.create(baseUrl() + "/ready"))
                            .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
                    last = ready.statusCode() + " " + ready.body();
                    if (ready.statusCode() == 200) {
                        return;
                    }
                } catch (IOException e) {
                    last = e.toString();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
            pause(Duration.ofMillis(100));
        }
        throw new IllegalStateException(id + ": the application did not (re)start at " + baseUrl()
                + " within " + START_TIMEOUT.toSeconds() + " s; last /ready answer: " + last
                + "\n--- " + log + " (tail)\n" + logTail(40));
    }

    /** The container's JVM: the running process whose command line names our base folder. */
    private List<ProcessHandle> containerJvms() {
        String base = baseDir.toString();
        try (Stream<ProcessHandle> all = ProcessHandle.allProcesses()) {
            return all.filter(p -> p.info().commandLine().map(c -> c.contains(base)).orElse(false)).toList();
        }
    }

    // ---- descriptors ----------------------------------------------------------------------

    /** This container's descriptor: the project's with our data file and these further parameters. */
    private String descriptor(Map<String, String> contextParameters) throws IOException {
        return id.startsWith("tomcat")
                ? tomcatDescriptor(projectDescriptor, statusFile, contextParameters)
                : jettyContextXml(projectDescriptor, statusFile, contextParameters);
    }

    /**
     * The project's Tomcat descriptor with the {@code statusFile} value replaced and nothing else
     * changed (comments and {@code override="false"} stay), then a {@code <Parameter>} for each of
     * {@code more} (with {@code override="false"} as well) added at the end.
     */
    static String tomcatDescriptor(Path projectDescriptor, Path statusFile, Map<String, String> more)
            throws IOException {
        String xml = Files.readString(projectDescriptor, StandardCharsets.UTF_8);
        String configured = parameters(projectDescriptor).get("statusFile");
        if (configured == null) {
            throw new IllegalStateException(projectDescriptor + " sets no statusFile parameter");
        }
        // The statusFile parameter's value, not the same path elsewhere (the commented-out importFile)
        String attribute = "name=\"statusFile\" value=\"" + configured + "\"";
        if (xml.indexOf(attribute) < 0 || xml.indexOf(attribute) != xml.lastIndexOf(attribute)) {
            throw new IllegalStateException(projectDescriptor + ": expected " + attribute + " exactly once");
        }
        xml = xml.replace(attribute, "name=\"statusFile\" value=\"" + xmlEscape(statusFile.toString()) + "\"");
        if (more.isEmpty()) {
            return xml;
        }
        StringBuilder parameters = new StringBuilder();
        more.forEach((name, value) -> parameters.append("    <Parameter name=\"").append(xmlEscape(name))
                .append("\" value=\"").append(xmlEscape(value)).append("\" override=\"false\"/>\n"));
        int end = xml.lastIndexOf("</Context>");
        if (end < 0) {
            throw new IllegalStateException(projectDescriptor + ": no </Context>");
        }
        return xml.substring(0, end) + "    <!-- added by the integration test -->\n" + parameters
                + xml.substring(end);
    }

    /**
     * The Jetty equivalent of the project's Tomcat descriptor: the same context parameters, with
     * {@code statusFile} pointed at the test folder, then {@code more}. Fails on anything in the descriptor that has
     * no equivalent here, so that this stays in step with the descriptor.
     */
    static String jettyContextXml(Path projectDescriptor, Path statusFile, Map<String, String> more)
            throws IOException {
        Map<String, String> parameters = parameters(projectDescriptor);
        parameters.put("statusFile", statusFile.toString());
        parameters.putAll(more);
        StringBuilder calls = new StringBuilder();
        parameters.forEach((name, value) -> calls.append("  <Call name=\"setInitParameter\"><Arg>")
                .append(xmlEscape(name)).append("</Arg><Arg>").append(xmlEscape(value)).append("</Arg></Call>\n"));
        return """
                <?xml version="1.0" encoding="UTF-8"?>
                <!DOCTYPE Configure PUBLIC "-//Jetty//Configure//EN" "https://jetty.org/configure_10_0.dtd">
                <!-- Built by the integration test from tomcat/conf/Catalina/localhost/%1$s.xml -->
                <Configure class="org.eclipse.jetty.ee10.webapp.WebAppContext">
                  <Set name="contextPath">/%1$s</Set>
                  <Set name="war"><Property name="jetty.webapps" default="."/>/%1$s.war</Set>
                %2$s</Configure>
                """.formatted(CONTEXT, calls);
    }

    /**
     * Elements of the descriptor that only tune Tomcat and that Jetty does not need: the
     * {@code <JarScanner>} that skips the tag-library scan (Jetty runs without its JSP module here).
     */
    private static final java.util.Set<String> TOMCAT_ONLY = java.util.Set.of("JarScanner");

    /** The {@code <Parameter>}s of a Tomcat context descriptor, in order. */
    static Map<String, String> parameters(Path descriptor) throws IOException {
        Element context;
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            context = factory.newDocumentBuilder().parse(descriptor.toFile()).getDocumentElement();
        } catch (IOException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("cannot read " + descriptor, e);
        }
        if (!context.getTagName().equals("Context") || context.getAttributes().getLength() > 0) {
            throw new IllegalStateException(descriptor + ": expected a plain <Context>; update CargoContainer");
        }
        Map<String, String> parameters = new LinkedHashMap<>();
        for (Node child = context.getFirstChild(); child != null; child = child.getNextSibling()) {
            if (child instanceof Element element) {
                if (TOMCAT_ONLY.contains(element.getTagName())) {
                    continue;
                }
                if (!element.getTagName().equals("Parameter")) {
                    throw new IllegalStateException(descriptor + ": <" + element.getTagName()
                            + "> has no Jetty equivalent in CargoContainer yet");
                }
                parameters.put(element.getAttribute("name"), element.getAttribute("value"));
            }
        }
        return parameters;
    }

    // ---- helpers --------------------------------------------------------------------------

    private Path write(String name, String content) throws IOException {
        return Files.writeString(workDir.resolve(name), content, StandardCharsets.UTF_8);
    }

    private static void addFile(LocalConfiguration configuration, Path file, String toDir, String toFile) {
        FileConfig fileConfig = new FileConfig();
        fileConfig.setFile(file.toString());
        fileConfig.setToDir(toDir);
        fileConfig.setToFile(toFile);
        fileConfig.setOverwrite(true);
        configuration.setFileProperty(fileConfig);
    }

    private static String xmlEscape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    private static String required(String property) {
        String value = System.getProperty(property);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("system property " + property + " is not set; run through mvn verify");
        }
        return value;
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (Files.exists(dir)) {
            List<Path> paths = new ArrayList<>();
            try (Stream<Path> walk = Files.walk(dir)) {
                walk.sorted(Comparator.reverseOrder()).forEach(paths::add);
            }
            for (Path p : paths) {
                Files.delete(p);
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    static void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
