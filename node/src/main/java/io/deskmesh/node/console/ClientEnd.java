package io.deskmesh.node.console;

import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/**
 * The client's side of a console, as a {@link Splice} sees it: a browser's WebSocket
 * ({@link #of(Session)}) or a native viewer's TCP connection ({@link TcpClientEnd}). Thread-safe.
 */
interface ClientEnd {
    /** Sends bytes to the client; completes once they are on their way. */
    CompletableFuture<Void> send(ByteBuffer data);

    /** Closes the connection, telling the client {@code why} and {@code reason} where its protocol can. */
    void close(ConsoleClose why, String reason);

    /** A browser's console WebSocket: closes carry the {@link ConsoleClose} code and sentence. */
    static ClientEnd of(Session ws) {
        return new ClientEnd() {
            @Override
            public CompletableFuture<Void> send(ByteBuffer data) {
                CompletableFuture<Void> sent = new CompletableFuture<>();
                try {
                    ws.sendBinary(data, Callback.from(() -> sent.complete(null), sent::completeExceptionally));
                } catch (RuntimeException e) {
                    sent.completeExceptionally(e);
                }
                return sent;
            }

            @Override
            public void close(ConsoleClose why, String reason) {
                if (!ws.isOpen()) {
                    return;
                }
                try {
                    ws.close(why.code(), ConsoleClose.fit(reason), Callback.NOOP);
                } catch (RuntimeException e) {
                    ws.disconnect();
                }
            }
        };
    }
}
