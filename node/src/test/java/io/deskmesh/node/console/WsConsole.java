package io.deskmesh.node.console;

import io.deskmesh.hypervisor.sim.rfb.RfbClient;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A console client for tests, as a browser page would be: a {@code java.net.http} WebSocket whose
 * binary messages are read as a byte stream (and written one flush per message), so an
 * {@link RfbClient} can run over it; and how the socket closed, with its code and reason.
 * Not thread-safe apart from the close it records.
 */
final class WsConsole implements Closeable {
    /** How the server closed the console (code -1: the connection failed). */
    record Closed(int code, String reason) {
    }

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private static final byte[] EOF = new byte[0];

    private final LinkedBlockingQueue<byte[]> received = new LinkedBlockingQueue<>();
    private final CompletableFuture<Closed> closed = new CompletableFuture<>();
    private WebSocket ws;

    /** Opens {@code ws://host:port/path...}, with extra request headers (name, value, ...). */
    static WsConsole open(String url, String... headers) throws Exception {
        WsConsole c = new WsConsole();
        WebSocket.Builder b = HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        c.ws = b.buildAsync(URI.create(url), c.listener()).get(10, TimeUnit.SECONDS);
        return c;
    }

    /** {@code http://host:port} plus a path, as a WebSocket URL. */
    static String wsUrl(String httpBase, String path) {
        return httpBase.replaceFirst("^http", "ws") + path;
    }

    private WebSocket.Listener listener() {
        return new WebSocket.Listener() {
            @Override
            public CompletionStage<?> onBinary(WebSocket w, ByteBuffer data, boolean last) {
                byte[] b = new byte[data.remaining()];
                data.get(b);
                received.add(b);
                w.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onClose(WebSocket w, int code, String reason) {
                closed.complete(new Closed(code, reason));
                received.add(EOF);
                return null;
            }

            @Override
            public void onError(WebSocket w, Throwable error) {
                closed.complete(new Closed(-1, String.valueOf(error)));
                received.add(EOF);
            }
        };
    }

    /** Runs the RFB handshake over the socket. */
    RfbClient rfb() throws IOException {
        return RfbClient.handshake(in(), out(), this, 8);
    }

    /** How the server closed the console; fails if it stays open for {@code timeout}. */
    Closed awaitClose(Duration timeout) throws Exception {
        return closed.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    boolean isClosed() {
        return closed.isDone();
    }

    private InputStream in() {
        return new InputStream() {
            private byte[] chunk = new byte[0];
            private int at;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                while (at >= chunk.length) {
                    if (chunk == EOF) {
                        return -1;
                    }
                    try {
                        byte[] next = received.poll(10, TimeUnit.SECONDS);
                        if (next == null) {
                            throw new IOException("nothing from the console for 10 s");
                        }
                        chunk = next;
                        at = 0;
                        if (next == EOF) {
                            received.add(EOF);
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IOException(e);
                    }
                }
                int n = Math.min(len, chunk.length - at);
                System.arraycopy(chunk, at, b, off, n);
                at += n;
                return n;
            }
        };
    }

    private OutputStream out() {
        return new OutputStream() {
            private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

            @Override
            public void write(int b) {
                pending.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                pending.write(b, off, len);
            }

            @Override
            public void flush() throws IOException {
                if (pending.size() == 0) {
                    return;
                }
                try {
                    ws.sendBinary(ByteBuffer.wrap(pending.toByteArray()), true).get(10, TimeUnit.SECONDS);
                } catch (Exception e) {
                    throw new IOException("sending to the console failed: " + e, e);
                } finally {
                    pending.reset();
                }
            }
        };
    }

    @Override
    public void close() {
        if (!ws.isOutputClosed()) {
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").orTimeout(2, TimeUnit.SECONDS).whenComplete((w, e) -> ws.abort());
        }
    }
}
