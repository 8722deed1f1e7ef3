package io.gitops.status.process;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs {@code contrib/gitops-status-report} as a CI job would, but stricter: with {@code dash}
 * (Debian's {@code /bin/sh}, no bash extension), an environment holding only what the test gives,
 * and a {@code PATH} of one folder with links to the five programs the script may use. A program
 * it needs beyond those fails the test; so does a temporary file it leaves in {@code TMPDIR}.
 * {@link #close()} removes the links (JUnit warns about links out of a temporary folder).
 */
final class ReportScript implements AutoCloseable {

    /** The programs the script may call besides the shell's built-ins. */
    static final List<String> TOOLS = List.of("curl", "awk", "mkdir", "rm", "sleep");

    /** What one run did; {@code out} and {@code err} decoded as UTF-8. */
    record Result(int exit, String out, String err, long millis) {

        String output() {
            return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    private final Path script;
    private final Path shell;
    private final Path dir;
    private final Path bin;
    private final Path tmp;

    private ReportScript(Path script, Path shell, Path dir, Path bin) throws IOException {
        this.script = script;
        this.shell = shell;
        this.dir = dir;
        this.bin = bin;
        this.tmp = Files.createDirectories(dir.resolve("tmp"));
    }

    /** The script with the system's tools; its files (links, temporary folder, output) go into {@code dir}. */
    static ReportScript in(Path dir) throws IOException {
        return withAwk(dir, find("awk"));
    }

    /** The same with {@code awk} being the given program (gawk, mawk, busybox). */
    static ReportScript withAwk(Path dir, Path awk) throws IOException {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        for (String tool : TOOLS) {
            Files.createSymbolicLink(bin.resolve(tool), tool.equals("awk") ? awk : find(tool));
        }
        return new ReportScript(scriptPath(), dash(), dir, bin);
    }

    static Path scriptPath() {
        return Path.of(System.getProperty("it.reportScript", "contrib/gitops-status-report")).toAbsolutePath();
    }

    /** dash, the POSIX shell without extensions; /bin/sh where there is none. */
    static Path dash() {
        return Stream.of("/usr/bin/dash", "/bin/dash").map(Path::of).filter(Files::isExecutable).findFirst()
                .orElse(Path.of("/bin/sh"));
    }

    /** A program on this machine's PATH, or null. */
    static Path findOrNull(String name) {
        for (String folder : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator)) {
            Path candidate = Path.of(folder, name);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    private static Path find(String name) {
        Path path = findOrNull(name);
        if (path == null) {
            throw new IllegalStateException(name + " is not on the PATH");
        }
        return path;
    }

    Result run(Map<String, String> env, String... args) throws IOException, InterruptedException {
        return run(env, null, List.of(), List.of(args));
    }

    /**
     * Runs {@code shell [driver...] script args...}: a driver, when given, is a shell script that
     * ends by running the rest of its arguments (so it can pass bytes that Java could not).
     */
    Result run(Map<String, String> env, String stdin, List<String> driver, List<String> args)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(shell.toString());
        command.addAll(driver);
        if (!driver.isEmpty()) {
            command.add(shell.toString());
        }
        command.add(script.toString());
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile())
                .redirectOutput(dir.resolve("out").toFile()).redirectError(dir.resolve("err").toFile());
        Map<String, String> environment = builder.environment();
        environment.clear();
        environment.put("PATH", bin.toString());
        environment.put("TMPDIR", tmp.toString());
        environment.putAll(new LinkedHashMap<>(env));
        long start = System.nanoTime();
        Process process = builder.start();
        try (var in = process.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
        }
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("the script did not end within 120 s: " + command);
        }
        Result result = new Result(process.exitValue(), Files.readString(dir.resolve("out")),
                Files.readString(dir.resolve("err")), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        try (Stream<Path> left = Files.list(tmp)) {
            List<Path> files = left.toList();
            if (!files.isEmpty()) {
                throw new AssertionError("the script left " + files + " in TMPDIR\n" + result.output());
            }
        }
        return result;
    }

    @Override
    public void close() throws IOException {
        for (String tool : TOOLS) {
            Files.deleteIfExists(bin.resolve(tool));
        }
    }
}
