package io.deskmesh.node.console;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

/**
 * A native viewer's TCP connection as the client end of a console. Bytes for the viewer are written
 * on a virtual thread, in order, each send completing once written (so the upstream reads no
 * further ahead than the viewer takes); {@link #pump} reads the viewer's bytes on the caller's
 * thread. After the handshake RFB has no way to say why a connection ends, so closing just closes.
 * Thread-safe.
 */
final class TcpClientEnd implements ClientEnd {
    private static final int CHUNK = 64 * 1024;
    private static final Executor WRITERS = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("console-native-write-", 0).factory());

    private final Socket socket;
    private final OutputStream out;
    private CompletableFuture<Void> tail = CompletableFuture.completedFuture(null);

    TcpClientEnd(Socket socket) throws IOException {
        this.socket = socket;
        this.out = socket.getOutputStream();
    }

    @Override
    public synchronized CompletableFuture<Void> send(ByteBuffer data) {
        tail = tail.thenRunAsync(() -> write(data), WRITERS);
        return tail;
    }

    private void write(ByteBuffer data) {
        try {
            if (data.hasArray()) {
                out.write(data.array(), data.arrayOffset() + data.position(), data.remaining());
            } else {
                byte[] copy = new byte[data.remaining()];
                data.duplicate().get(copy);
                out.write(copy);
            }
            out.flush();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Override
    public void close(ConsoleClose why, String reason) {
        try {
            socket.close();
        } catch (IOException e) {
            // closing: nothing more to do
        }
    }

    /**
     * Reads the viewer's bytes into {@code sink} until the viewer leaves or the socket closes;
     * each chunk is handed on before the next is read.
     */
    void pump(Consumer<ByteBuffer> sink) {
        byte[] buf = new byte[CHUNK];
        try (InputStream in = socket.getInputStream()) {
            int n;
            while ((n = in.read(buf)) >= 0) {
                if (n > 0) {
                    sink.accept(ByteBuffer.wrap(buf, 0, n));
                }
            }
        } catch (IOException e) {
            // the viewer went away or the console closed its socket: the caller decides
        }
    }
}
