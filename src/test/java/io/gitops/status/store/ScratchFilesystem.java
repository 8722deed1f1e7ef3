package io.gitops.status.store;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A small tmpfs mounted for one test, to make a full disk for real. Needs root (as on the CI
 * machines); elsewhere the test that asks for it is skipped.
 */
final class ScratchFilesystem implements AutoCloseable {

    private final Path mountPoint;

    private ScratchFilesystem(Path mountPoint) {
        this.mountPoint = mountPoint;
    }

    static ScratchFilesystem mount(Path mountPoint, String size) throws IOException, InterruptedException {
        assumeTrue(run("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", mountPoint.toString()),
                "mounting a tmpfs needs root; skipped");
        return new ScratchFilesystem(mountPoint);
    }

    @Override
    public void close() throws IOException, InterruptedException {
        run("umount", "-l", mountPoint.toString());
    }

    static boolean run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
        process.getInputStream().readAllBytes();
        return process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0;
    }
}
