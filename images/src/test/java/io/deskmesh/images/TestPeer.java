package io.deskmesh.images;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A peer for tests and the throughput figure: the JDK's HTTP server on 127.0.0.1 and an ephemeral
 * port, answering {@link ImageProtocol} requests through {@link ImageServer}, with faults to inject.
 * Thread-safe.
 */
final class TestPeer implements AutoCloseable {

    /** One request as the peer saw it. */
    record Request(String method, String path, String range, String authorization, String query) {
    }

    /** What to do to the next response body. */
    record Fault(long afterBytes, boolean stall) {
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final ImageServer images;
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final AtomicReference<Fault> nextFault = new AtomicReference<>();
    private final CountDownLatch releaseStalls = new CountDownLatch(1);
    private volatile long flipAt = -1;
    private volatile long flipOnceAt = -1;
    private volatile String requiredToken;

    TestPeer(ImageStore store) throws IOException {
        this.images = new ImageServer(store);
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(executor);
        server.createContext(ImageProtocol.PATH_PREFIX, this::handle);
        server.start();
    }

    /** A peer serving {@code store}, added to {@code toClose} (closed by the test's tear-down, last first). */
    static TestPeer serving(ImageStore store, List<AutoCloseable> toClose) throws IOException {
        TestPeer p = new TestPeer(store);
        toClose.add(p);
        return p;
    }

    /** Closes everything in the list, last first: a test's tear-down. */
    static void closeAll(List<AutoCloseable> toClose) throws Exception {
        for (AutoCloseable c : toClose.reversed()) {
            c.close();
        }
    }

    URI base() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    List<Request> requests() {
        return List.copyOf(requests);
    }

    /** The next response sends {@code bytes} body bytes and then drops the connection. */
    void cutNextResponseAfter(long bytes) {
        nextFault.set(new Fault(bytes, false));
    }

    /** The next response sends {@code bytes} body bytes and then sends nothing until {@link #close}. */
    void stallNextResponseAfter(long bytes) {
        nextFault.set(new Fault(bytes, true));
    }

    /** Every response corrupts the byte at this offset of the disk. */
    void flipByteAt(long offset) {
        flipAt = offset;
    }

    /** The next response that carries this offset of the disk corrupts that byte; later ones do not. */
    void flipByteOnceAt(long offset) {
        flipOnceAt = offset;
    }

    /** Requests without {@code Authorization: Bearer token} get 401. */
    void requireToken(String token) {
        requiredToken = token;
    }

    @Override
    public void close() {
        releaseStalls.countDown();
        server.stop(0);
        executor.shutdownNow();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String range = ex.getRequestHeaders().getFirst("Range");
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            requests.add(new Request(ex.getRequestMethod(), ex.getRequestURI().getRawPath(), range, auth,
                    ex.getRequestURI().getRawQuery()));
            if (requiredToken != null && !("Bearer " + requiredToken).equals(auth)) {
                sendText(ex, 401, "missing or wrong grid token");
                return;
            }
            String[] parts = ex.getRequestURI().getRawPath().substring(ImageProtocol.PATH_PREFIX.length()).split("/", -1);
            Served s;
            if (parts.length == 3 && parts[2].equals("diff")) {
                java.util.Map<String, String> q = query(ex.getRequestURI().getRawQuery());
                s = images.serveDifference(parts[0], parts[1], q.get("base"), q.get("baseSha256"), range);
            } else if (parts.length == 2) {
                s = images.serve(parts[0], parts[1], range);
            } else {
                sendText(ex, 404, "no such path");
                return;
            }
            s.headers().forEach(ex.getResponseHeaders()::set);
            boolean head = ex.getRequestMethod().equals("HEAD");
            ex.sendResponseHeaders(s.status(), head || s.contentLength() == 0 ? -1 : s.contentLength());
            if (head) {
                return;
            }
            long start = s.contentRange().filter(cr -> !cr.startsWith("bytes */"))
                    .map(cr -> Long.parseLong(cr.substring(6, cr.indexOf('-')))).orElse(0L);
            Fault fault = s.status() < 300 ? nextFault.getAndSet(null) : null;
            FaultyStream out = new FaultyStream(ex.getResponseBody(), start, fault);
            try {
                s.transferTo(out);
                out.flush();
            } catch (Cut c) {
                // Leaving without completing the fixed-length body makes the server drop the connection.
            }
        } catch (IOException e) {
            // client went away
        }
    }

    private static java.util.Map<String, String> query(String raw) {
        java.util.Map<String, String> q = new java.util.HashMap<>();
        if (raw != null) {
            for (String kv : raw.split("&")) {
                String[] p = kv.split("=", 2);
                q.put(p[0], p.length > 1 ? p[1] : "");
            }
        }
        return q;
    }

    private static void sendText(HttpExchange ex, int status, String text) throws IOException {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(status, b.length);
        ex.getResponseBody().write(b);
    }

    private static final class Cut extends IOException {
        Cut() {
            super("fault injected");
        }
    }

    /** Counts body bytes, flips the chosen byte, and cuts or stalls after the chosen count. */
    private final class FaultyStream extends FilterOutputStream {
        private final long start;
        private final Fault fault;
        private long written;

        FaultyStream(OutputStream out, long start, Fault fault) {
            super(out);
            this.start = start;
            this.fault = fault;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[]{(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (fault != null && written + len > fault.afterBytes()) {
                int head = (int) (fault.afterBytes() - written);
                emit(b, off, head);
                out.flush();
                if (fault.stall()) {
                    try {
                        releaseStalls.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                throw new Cut();
            }
            emit(b, off, len);
        }

        private void emit(byte[] b, int off, int len) throws IOException {
            long pos = start + written;
            long flip = flipAt;
            if (flip < 0 && flipOnceAt >= pos && flipOnceAt < pos + len) {
                flip = flipOnceAt;
                flipOnceAt = -1;
            }
            if (flip >= pos && flip < pos + len) {
                byte[] copy = java.util.Arrays.copyOfRange(b, off, off + len);
                copy[(int) (flip - pos)] ^= 0x5a;
                out.write(copy, 0, len);
            } else {
                out.write(b, off, len);
            }
            written += len;
        }
    }
}
