package io.deskmesh.node.console;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A console on another host, reached through that host's internal endpoint
 * ({@code ws://host/internal/v1/console/{vmId}}, the grid secret as Bearer token), which splices
 * to the VM's console port there. One message is asked for at a time and the next only once the
 * previous is on its way to the client, so a slow client slows the host rather than filling this
 * node's memory. Thread-safe.
 */
final class HopUpstream implements Upstream, WebSocket.Listener {
    /** A send to the host that takes longer than this means the host is stuck. */
    private static final Duration SEND_TIMEOUT = Duration.ofSeconds(30);

    private final Sink sink;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicBoolean ended = new AtomicBoolean();
    private volatile WebSocket ws;

    private HopUpstream(Sink sink) {
        this.sink = sink;
    }

    /** Opens the hop; throws when the host does not answer within {@code timeout} or refuses the upgrade. */
    static HopUpstream connect(HttpClient http, URI uri, String gridSecret, Duration timeout, Sink sink) throws IOException {
        HopUpstream hop = new HopUpstream(sink);
        try {
            hop.ws = http.newWebSocketBuilder().header("Authorization", "Bearer " + gridSecret).connectTimeout(timeout)
                    .buildAsync(uri, hop).get(timeout.toMillis() + 1_000, TimeUnit.MILLISECONDS);
            return hop;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof WebSocketHandshakeException h) {
                throw new IOException("the host refused the console hop with HTTP " + h.getResponse().statusCode(), h);
            }
            throw new IOException("the host did not answer: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new IOException("the host did not answer within " + timeout.toMillis() + " ms", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while opening the console hop", e);
        }
    }

    @Override
    public void onOpen(WebSocket webSocket) {
        webSocket.request(1);
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
        ByteBuffer copy = ByteBuffer.allocate(data.remaining()).put(data).flip();
        sink.toClient(copy).whenComplete((v, e) -> {
            if (e == null) {
                webSocket.request(1);
            } else {
                close();
            }
        });
        return null;
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        // Returning completes the closing handshake: the client answers the host's close with the same code.
        if (!closed.get() && ended.compareAndSet(false, true)) {
            sink.ended(statusCode, reason, null);
        }
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        if (!closed.get() && ended.compareAndSet(false, true)) {
            sink.ended(-1, null, error);
        }
    }

    @Override
    public void send(ByteBuffer data) throws IOException {
        ByteBuffer copy = ByteBuffer.allocate(data.remaining()).put(data.duplicate()).flip();
        try {
            ws.sendBinary(copy, true).get(SEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IOException("sending to the host failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new IOException("the host took no console input for " + SEND_TIMEOUT.toSeconds() + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while sending to the host", e);
        } catch (IllegalStateException e) {
            throw new IOException("the console hop is closed", e);
        }
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        WebSocket w = ws;
        if (w == null) {
            return;
        }
        try {
            w.sendClose(WebSocket.NORMAL_CLOSURE, "").orTimeout(2, TimeUnit.SECONDS).whenComplete((x, e) -> w.abort());
        } catch (IllegalStateException e) {
            w.abort();
        }
    }
}
