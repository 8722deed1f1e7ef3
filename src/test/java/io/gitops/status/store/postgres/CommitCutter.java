package io.gitops.status.store.postgres;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.postgresql.Driver;

/**
 * A TCP proxy between a store and PostgreSQL that, once armed, breaks the connection that sends the
 * next {@code COMMIT} of a write (a transaction that took the store's write lock): either after passing it on (the server commits, the client never hears so,
 * as when the network or the server dies right after the commit), or instead of passing it on (the
 * server never commits). The store's URL must go through {@link #url} (no TLS, no server-side
 * prepared statements, so that the proxy sees the statement's text).
 */
final class CommitCutter implements AutoCloseable {

    enum Cut {
        /** COMMIT reaches the server, its answer never reaches the client. */
        AFTER_COMMIT_SENT,
        /** COMMIT never reaches the server: the transaction is rolled back when the connection ends. */
        BEFORE_COMMIT_SENT,
        /**
         * COMMIT is held back and the connection left open, the client waiting for its answer, until
         * the server ends the connection (a restart): the transaction never commits.
         */
        HOLD_COMMIT
    }

    private static final byte[] COMMIT = "COMMIT".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ROLLBACK = "ROLLBACK".getBytes(StandardCharsets.US_ASCII);
    /** What a write's transaction sends first ({@link Rows#lockAndPublish}): only its COMMIT is cut. */
    private static final byte[] WRITE_LOCK = "SET revision = revision + 1".getBytes(StandardCharsets.US_ASCII);

    private final ServerSocket listener;
    private final String targetHost;
    private final int targetPort;
    private final AtomicReference<Cut> armed = new AtomicReference<>();
    private volatile CountDownLatch cut = new CountDownLatch(1);
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "commit-cutter");
        t.setDaemon(true);
        return t;
    });

    /** A proxy in front of the server that {@code jdbcUrl} names. */
    CommitCutter(String jdbcUrl) throws IOException {
        var parsed = Driver.parseURL(jdbcUrl, null);
        this.targetHost = parsed.getProperty("PGHOST");
        this.targetPort = Integer.parseInt(parsed.getProperty("PGPORT"));
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        threads.submit(this::accept);
    }

    /** {@code jdbcUrl} through this proxy. */
    String url(String jdbcUrl) {
        String through = jdbcUrl.replaceFirst("//[^/]+/", "//127.0.0.1:" + listener.getLocalPort() + "/");
        return through + (through.contains("?") ? "&" : "?") + "sslmode=disable&prepareThreshold=0";
    }

    /** Breaks the connection of the next COMMIT, once. */
    void arm(Cut how) {
        cut = new CountDownLatch(1);
        armed.set(how);
    }

    boolean awaitCut(long millis) throws InterruptedException {
        return cut.await(millis, TimeUnit.MILLISECONDS);
    }

    private void accept() {
        while (!listener.isClosed()) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                continue; // closed: the loop ends
            }
            try {
                Socket server = new Socket(targetHost, targetPort);
                sockets.add(client);
                sockets.add(server);
                threads.submit(() -> pump(client, server, true));
                threads.submit(() -> pump(server, client, false));
            } catch (IOException e) {
                close(client); // the server refused (restarting): so does the proxy
            }
        }
    }

    private void pump(Socket from, Socket to, boolean toServer) {
        byte[] buffer = new byte[64 * 1024];
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            boolean writing = false; // this connection's transaction took the store's write lock
            for (int n; (n = in.read(buffer)) > 0; ) {
                writing = toServer && contains(buffer, n, WRITE_LOCK) || writing && !contains(buffer, n, ROLLBACK);
                Cut how = null;
                if (writing && contains(buffer, n, COMMIT)) {
                    how = armed.getAndSet(null);
                    writing = false;
                }
                if (how == Cut.BEFORE_COMMIT_SENT) {
                    close(from);
                    close(to);
                    cut.countDown();
                    return;
                }
                if (how == Cut.HOLD_COMMIT) {
                    cut.countDown();
                    in.transferTo(OutputStream.nullOutputStream()); // until the client's side ends
                    break;
                }
                out.write(buffer, 0, n);
                out.flush();
                if (how == Cut.AFTER_COMMIT_SENT) {
                    // the client's side only: the server goes on, commits, and answers into the void
                    close(from);
                    cut.countDown();
                    return;
                }
            }
        } catch (IOException e) {
            // one side ended
        }
        close(from);
        close(to);
    }

    private static boolean contains(byte[] buffer, int length, byte[] word) {
        outer:
        for (int i = 0; i + word.length <= length; i++) {
            for (int j = 0; j < word.length; j++) {
                if (buffer[i + j] != word[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    private void close(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // closing anyway
        }
        sockets.remove(socket);
    }

    @Override
    public void close() throws IOException {
        listener.close();
        sockets.forEach(this::close);
        threads.shutdownNow();
    }
}
