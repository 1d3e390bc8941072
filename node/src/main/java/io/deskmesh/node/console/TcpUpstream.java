package io.deskmesh.node.console;

import io.deskmesh.hypervisor.ConsoleAddress;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A VM's console port on this host (VNC or SPICE, the bytes are not looked at), read by one virtual
 * thread that hands each chunk to the client and waits until it is on its way before reading more,
 * so a slow client slows the VM's console rather than filling this node's memory. Thread-safe.
 */
final class TcpUpstream implements Upstream {
    private static final int CHUNK = 64 * 1024;

    private final Socket socket;
    private final OutputStream out;
    private final Sink sink;
    private final AtomicBoolean closed = new AtomicBoolean();

    private TcpUpstream(Socket socket, Sink sink) throws IOException {
        this.socket = socket;
        this.out = socket.getOutputStream();
        this.sink = sink;
    }

    /** Connects to the console and starts reading it into {@code sink}. */
    static TcpUpstream connect(ConsoleAddress address, Duration timeout, Sink sink) throws IOException {
        Socket s = new Socket();
        try {
            s.connect(new InetSocketAddress(address.host(), address.port()), (int) timeout.toMillis());
            s.setTcpNoDelay(true);
            TcpUpstream u = new TcpUpstream(s, sink);
            Thread.ofVirtual().name("console-read-" + address.port()).start(u::pump);
            return u;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    private void pump() {
        byte[] buf = new byte[CHUNK];
        try (InputStream in = socket.getInputStream()) {
            int n;
            while ((n = in.read(buf)) >= 0) {
                if (n > 0 && !handOn(sink.toClient(ByteBuffer.wrap(Arrays.copyOf(buf, n))))) {
                    return;
                }
            }
            if (!closed.get()) {
                sink.ended(1000, "the console closed its connection", null);
            }
        } catch (IOException | ExecutionException e) {
            if (!closed.get()) {
                sink.ended(-1, null, e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            close();
        }
    }

    /** Waits until the chunk is on its way to the client; false if this upstream closed meanwhile. */
    private boolean handOn(CompletableFuture<Void> sent) throws ExecutionException, InterruptedException {
        while (true) {
            try {
                sent.get(1, TimeUnit.SECONDS);
                return true;
            } catch (TimeoutException e) {
                if (closed.get()) {
                    return false;
                }
            }
        }
    }

    @Override
    public void send(ByteBuffer data) throws IOException {
        byte[] bytes;
        int offset;
        int length = data.remaining();
        if (data.hasArray()) {
            bytes = data.array();
            offset = data.arrayOffset() + data.position();
        } else {
            bytes = new byte[length];
            data.duplicate().get(bytes);
            offset = 0;
        }
        synchronized (out) {
            out.write(bytes, offset, length);
        }
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            try {
                socket.close();
            } catch (IOException e) {
                // closing: nothing to do
            }
        }
    }
}
