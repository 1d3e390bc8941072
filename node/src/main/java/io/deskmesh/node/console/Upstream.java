package io.deskmesh.node.console;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/**
 * Where a console's bytes go from the proxy: the VM's console port on this host ({@link TcpUpstream}),
 * or the VM's host, through its internal console endpoint ({@link HopUpstream}). Thread-safe.
 */
interface Upstream extends AutoCloseable {
    /** What an upstream delivers to: the client's side of the console. */
    interface Sink {
        /** Bytes for the client, in a buffer the sink may keep; completes once they are on their way. */
        CompletableFuture<Void> toClient(ByteBuffer data);

        /** The upstream ended: closed by its far end ({@code code}, {@code reason}), or failed ({@code error}, code -1). */
        void ended(int code, String reason, Throwable error);
    }

    /** Sends the buffer's remaining bytes, blocking until they are written; the caller may reuse it afterwards. */
    void send(ByteBuffer data) throws IOException;

    /** Closes the connection; the sink hears no more. Idempotent. */
    @Override
    void close();
}
