package io.gitops.status.process;

import io.gitops.status.config.AppConfig;
import io.gitops.status.app.GitopsStatusApplication;
import io.gitops.status.store.FaultPoint;
import java.net.URI;
import java.nio.file.Path;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.glassfish.jersey.jetty.JettyHttpContainerFactory;

/**
 * The application in an embedded Jetty, as its own process: for the tests that need several
 * server processes on one data file or kill one, and for the benchmark.
 *
 * <p>Usage: {@code StandaloneServer <port, 0 for any> <data file>}. Prints {@code LISTENING <port>}
 * once it serves; stops cleanly (closing the store) on SIGTERM.
 */
public final class StandaloneServer {

    private StandaloneServer() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        Path file = Path.of(args[1]);
        // The data file from the command line; the other settings from system properties or the
        // environment, as in a container (the benchmark passes -Dgitops.history.size=... this way).
        GitopsStatusApplication application = new GitopsStatusApplication(
                AppConfig.read(name -> name.equals("statusFile") ? file.toString() : null), pauseAt());
        Server server = JettyHttpContainerFactory.createServer(URI.create("http://127.0.0.1:" + port + "/"),
                application, false);
        server.setStopAtShutdown(true);
        server.start();
        System.out.println("LISTENING " + ((ServerConnector) server.getConnectors()[0]).getLocalPort());
        System.out.flush();
        server.join();
    }

    /**
     * With {@code -Dtest.store.pause.at=STEP}, the store stops for good the first time it reaches
     * that step and prints {@code PAUSED <step>}: the test then kills the process right there.
     */
    private static FaultPoint pauseAt() {
        String step = System.getProperty("test.store.pause.at");
        if (step == null) {
            return FaultPoint.NONE;
        }
        FaultPoint.Step pauseStep = FaultPoint.Step.valueOf(step);
        return reached -> {
            if (reached == pauseStep) {
                System.out.println("PAUSED " + reached);
                System.out.flush();
                while (true) {
                    try {
                        Thread.sleep(60_000);
                    } catch (InterruptedException e) {
                        // keep holding: only SIGKILL ends this
                    }
                }
            }
        };
    }
}
