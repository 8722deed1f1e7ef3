package io.gitops.status.metrics;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Validates Prometheus text-format output with Prometheus's own parser and linter, {@code promtool
 * check metrics}, instead of with a parser of our own: a home-made check would share the
 * misreadings of the code it checks, promtool is what the scraper actually runs.
 *
 * <p>promtool is taken from {@code PATH} if it is there; otherwise from Debian's {@code
 * prometheus} package, fetched once into {@code target/promtool} with {@code apt-get download}
 * (no root needed: it uses the machine's apt lists; when they are missing or out of date and the
 * build runs as root, {@code apt-get update} refreshes them first) and unpacked
 * with {@code dpkg-deb -x}. A missing or broken tool fails the test loudly rather than skipping
 * it, so that the metrics never go unchecked without anyone noticing.
 */
public final class Promtool {

    /** Where the package is unpacked; relative to the project root, surefire's and failsafe's working directory. */
    private static final Path INSTALL_DIR = Path.of("target", "promtool");

    /** The binary inside the unpacked package. */
    private static final Path INSTALLED = INSTALL_DIR.resolve(Path.of("usr", "bin", "promtool"));

    /** The limit for every command run here: apt-get, dpkg-deb and promtool itself. */
    private static final long TIMEOUT_MINUTES = 5;

    /** The promtool found by {@link #executable()}, kept so that a JVM looks (or fetches) once. */
    private static Path executable;

    private Promtool() {
    }

    /**
     * What {@code promtool check metrics} said.
     *
     * @param exitCode 0 for clean input; non-zero for parse errors (1) and for lint problems (3)
     * @param output stdout and stderr, merged
     */
    public record Result(int exitCode, String output) {
    }

    /**
     * Checks Prometheus text-format output with {@code promtool check metrics}.
     *
     * <p>The text goes through a temporary file rather than a pipe, so that inputs of tens of MB
     * cannot deadlock against promtool's output.
     */
    public static Result check(String metricsText) {
        Path input = null;
        try {
            input = Files.createTempFile("promtool-input-", ".prom");
            Files.writeString(input, metricsText, StandardCharsets.UTF_8);
            ProcessBuilder builder = new ProcessBuilder(executable().toString(), "check", "metrics")
                    .redirectInput(input.toFile());
            return run(builder);
        } catch (IOException e) {
            throw new UncheckedIOException("could not run promtool check metrics", e);
        } finally {
            deleteQuietly(input);
        }
    }

    /**
     * Fails with promtool's output unless it accepts the text without a word. Lint problems (a
     * counter without "_total", no help text; exit code 3 in promtool 2.42) fail as well as parse
     * errors ("text format parsing error"; exit code 1): a scraper copes with the former, but we
     * want clean output.
     */
    public static void assertValid(String metricsText) {
        Result result = check(metricsText);
        if (result.exitCode() != 0) {
            throw new AssertionError("promtool check metrics exited " + result.exitCode() + ":\n"
                    + result.output() + "\n--- checked text (first 2000 chars) ---\n"
                    + metricsText.substring(0, Math.min(2000, metricsText.length())));
        }
    }

    /**
     * The path of a working promtool: one on {@code PATH}, else {@code target/promtool/usr/bin/promtool},
     * fetching it there first if need be.
     *
     * <p>Synchronized so that two tests in one JVM do not fetch it twice. Two JVMs at once (a
     * surefire and a failsafe fork) may both fetch it, but each unpacks into a directory of its
     * own and renames that to {@code target/promtool} atomically: the loser finds the winner's
     * complete copy and uses it, and neither ever sees a half-unpacked one.
     */
    public static synchronized Path executable() {
        if (executable == null) {
            executable = locate();
        }
        return executable;
    }

    private static Path locate() {
        Path onPath = findOnPath();
        if (onPath != null) {
            return usable(onPath);
        }
        if (Files.isRegularFile(INSTALLED)) {
            return usable(INSTALLED);
        }
        try {
            fetch();
        } catch (IOException e) {
            throw new IllegalStateException("could not fetch promtool into " + INSTALL_DIR.toAbsolutePath()
                    + " (from Debian's prometheus package)", e);
        }
        return usable(INSTALLED);
    }

    private static Path findOnPath() {
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String entry : path.split(File.pathSeparator)) {
            if (entry.isEmpty()) {
                continue;
            }
            try {
                Path candidate = Path.of(entry, "promtool");
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                    return candidate;
                }
            } catch (InvalidPathException e) {
                // a PATH entry that is no path cannot hold promtool; look at the next one
            }
        }
        return null;
    }

    /** The given promtool, once it has shown that it runs. */
    private static Path usable(Path promtool) {
        if (!Files.isRegularFile(promtool) || !Files.isExecutable(promtool)) {
            throw new IllegalStateException("promtool is missing or not executable at "
                    + promtool.toAbsolutePath() + "; delete " + INSTALL_DIR.toAbsolutePath() + " to fetch it again");
        }
        Result version;
        try {
            version = run(new ProcessBuilder(promtool.toAbsolutePath().toString(), "--version"));
        } catch (IOException e) {
            throw new IllegalStateException("could not run " + promtool.toAbsolutePath(), e);
        }
        if (version.exitCode() != 0) {
            throw new IllegalStateException(promtool.toAbsolutePath() + " --version exited " + version.exitCode()
                    + ":\n" + version.output());
        }
        return promtool.toAbsolutePath();
    }

    /**
     * Downloads Debian's prometheus package and unpacks it into a fresh directory under target/,
     * then renames that directory to target/promtool.
     */
    private static void fetch() throws IOException {
        Path target = INSTALL_DIR.toAbsolutePath().getParent();
        Files.createDirectories(target);
        Path staging = Files.createTempDirectory(target, "promtool-staging-");
        try {
            Path download = Files.createDirectories(staging.resolve("download"));
            ProcessBuilder downloadDeb = new ProcessBuilder("apt-get", "download", "prometheus")
                    .directory(download.toFile());
            if (run(downloadDeb).exitCode() != 0 && "root".equals(System.getProperty("user.name"))) {
                // The machine's package lists are missing or out of date (a fresh image, a newer
                // point release): refresh them, which root may, and try again.
                runOrFail(new ProcessBuilder("apt-get", "update"));
            }
            if (!Files.isDirectory(download) || isEmpty(download)) {
                runOrFail(downloadDeb);
            }
            Path deb;
            try (Stream<Path> files = Files.list(download)) {
                List<Path> debs = files.filter(f -> f.getFileName().toString().endsWith(".deb")).toList();
                if (debs.size() != 1) {
                    throw new IllegalStateException("apt-get download prometheus left " + debs + " in " + download
                            + ", expected one .deb");
                }
                deb = debs.get(0);
            }
            runOrFail(new ProcessBuilder("dpkg-deb", "-x", deb.toString(), staging.toString()));
            // the unpacked package is all that is needed; the .deb would only take another ~19 MB
            deleteRecursively(download);
            if (!Files.isRegularFile(staging.resolve(Path.of("usr", "bin", "promtool")))) {
                throw new IllegalStateException(deb + " holds no usr/bin/promtool");
            }
            try {
                Files.move(staging, INSTALL_DIR.toAbsolutePath(), StandardCopyOption.ATOMIC_MOVE);
            } catch (FileSystemException e) {
                // another JVM got there first (rename(2) fails with ENOTEMPTY, which Java reports as
                // a plain FileSystemException); its copy is complete, since it got there by a rename
                if (!Files.isRegularFile(INSTALLED)) {
                    throw new IllegalStateException(INSTALL_DIR.toAbsolutePath()
                            + " exists but holds no usr/bin/promtool; delete it to fetch promtool again", e);
                }
            }
        } finally {
            if (Files.exists(staging)) {
                deleteRecursively(staging);
            }
        }
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.findAny().isEmpty();
        }
    }

    /** Runs a command that must succeed, failing with its output otherwise. */
    private static void runOrFail(ProcessBuilder builder) throws IOException {
        Result result = run(builder);
        if (result.exitCode() != 0) {
            throw new IllegalStateException(String.join(" ", builder.command()) + " (in "
                    + (builder.directory() == null ? Path.of("").toAbsolutePath() : builder.directory())
                    + ") exited " + result.exitCode() + ":\n" + result.output());
        }
    }

    /**
     * Runs a command with stdout and stderr merged into a temporary file (so that a full pipe
     * cannot block it), killing it after {@link #TIMEOUT_MINUTES}.
     */
    private static Result run(ProcessBuilder builder) throws IOException {
        Path output = Files.createTempFile("promtool-output-", ".txt");
        try {
            Process process = builder.redirectErrorStream(true).redirectOutput(output.toFile()).start();
            // no command here reads a terminal: end of input at once rather than a wait for the timeout
            process.getOutputStream().close();
            boolean finished;
            try {
                finished = process.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while running " + String.join(" ", builder.command()), e);
            }
            if (!finished) {
                process.destroyForcibly();
                try {
                    process.waitFor(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                throw new IllegalStateException(String.join(" ", builder.command()) + " did not finish within "
                        + TIMEOUT_MINUTES + " minutes and was killed; its output so far:\n"
                        + new String(Files.readAllBytes(output), StandardCharsets.UTF_8));
            }
            return new Result(process.exitValue(), new String(Files.readAllBytes(output), StandardCharsets.UTF_8));
        } finally {
            deleteQuietly(output);
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        List<Path> paths = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(paths::add);
        }
        for (Path path : paths) {
            Files.deleteIfExists(path);
        }
    }

    private static void deleteQuietly(Path file) {
        if (file == null) {
            return;
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // a temporary file left behind does no harm
        }
    }
}
