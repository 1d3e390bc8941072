package io.deskmesh.images;

import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One {@code GET} to a peer through Jetty's {@link HttpClient}, seen as a blocking exchange: send,
 * then pull the body chunk by chunk. Used by one thread, except {@link #abort}, which any thread
 * may call; aborting closes the connection, so a waiting call fails at once.
 *
 * <p>Why Jetty and not {@code java.net.http}: the JDK client hands a body over in 16 KiB buffers
 * through its selector thread, one at a time, which cost 1-3 s of CPU per GiB here. Jetty's
 * content source is pulled by the reading thread ({@link Content.Source#read()} parses what the
 * connection holds on the caller's thread), in chunks as large as the client's response buffer,
 * and the bytes are handed over without a copy.
 *
 * <p>Waits are bounded here rather than by Jetty's idle timeout, because {@link FetchConfig} gives
 * the response head and the body different bounds; an interrupt of the waiting thread aborts the
 * exchange and ends the wait with {@link InterruptedIOException}, with the interrupt flag kept.
 */
final class PeerRequest implements AutoCloseable {
    /** Receives body bytes; the array is only valid during the call. */
    @FunctionalInterface
    interface Sink {
        void accept(byte[] bytes, int offset, int length);
    }

    private final Request request;
    private final CompletableFuture<Response> head = new CompletableFuture<>();
    private volatile Content.Source body;
    private boolean ended;

    /**
     * A started client for fetching from peers; stop it when done. Its threads are daemons named
     * {@code deskmesh-image-fetch}.
     */
    static HttpClient startClient(Duration connectTimeout) {
        QueuedThreadPool threads = new QueuedThreadPool();
        threads.setName("deskmesh-image-fetch");
        threads.setDaemon(true);
        HttpClient client = new HttpClient();
        client.setExecutor(threads);
        client.setConnectTimeout(connectTimeout.toMillis());
        client.setFollowRedirects(false);
        // Body chunks as large as the writer's (one socket read each at best), on the heap so
        // they are written from their arrays without a copy; no content decoding.
        client.setResponseBufferSize(HashingWriter.CHUNK);
        client.setUseInputDirectByteBuffers(false);
        client.getContentDecoderFactories().clear();
        try {
            client.start();
        } catch (Exception e) {
            throw new IllegalStateException("could not start the HTTP client for image fetches: " + e, e);
        }
        return client;
    }

    PeerRequest(HttpClient http, URI uri) {
        this.request = http.newRequest(uri).method(HttpMethod.GET).followRedirects(false)
                .headers(h -> h.put(HttpHeader.ACCEPT_ENCODING, "identity"));
    }

    PeerRequest header(String name, String value) {
        request.headers(h -> h.put(name, value));
        return this;
    }

    /**
     * Sends the request and waits for the response head.
     *
     * @param headTimeout longest wait from sending to the end of the response head (after which a
     *                    {@link SocketTimeoutException} is thrown)
     * @param backstop    Jetty's own idle timeout on the connection, a bound for waits not
     *                    bounded here (sending the request)
     */
    void send(Duration headTimeout, Duration backstop) throws IOException {
        request.idleTimeout(backstop.toMillis(), TimeUnit.MILLISECONDS)
                .onResponseContentSource((response, source) -> {
                    body = source;
                    head.complete(response);
                })
                .send(result -> {
                    if (result.isFailed()) {
                        head.completeExceptionally(result.getFailure());
                    } else {
                        head.complete(result.getResponse()); // a response without a body
                    }
                });
        await(head, headTimeout, "no complete response head within " + headTimeout.toMillis() + " ms");
    }

    int status() {
        return head.join().getStatus();
    }

    Optional<String> header(String name) {
        return Optional.ofNullable(head.join().getHeaders().get(name));
    }

    /**
     * Hands the next body bytes to {@code sink}; returns how many, or -1 at the end of the body.
     *
     * @param idleTimeout longest wait for them (after which a {@link SocketTimeoutException} is
     *                    thrown and the exchange is aborted)
     * @throws IOException the connection broke, or closed before the length the response declared
     */
    int next(Duration idleTimeout, Sink sink) throws IOException {
        Content.Source source = body;
        while (!ended && source != null) {
            Content.Chunk chunk = source.read();
            if (chunk == null) {
                awaitDemand(source, idleTimeout);
                continue;
            }
            try {
                if (Content.Chunk.isFailure(chunk)) {
                    abort(chunk.getFailure());
                    throw asIOException(chunk.getFailure());
                }
                ended = chunk.isLast();
                ByteBuffer b = chunk.getByteBuffer();
                int n = b.remaining();
                if (n > 0) {
                    if (b.hasArray()) {
                        sink.accept(b.array(), b.arrayOffset() + b.position(), n);
                    } else {
                        byte[] copy = new byte[n];
                        b.get(copy);
                        sink.accept(copy, 0, n);
                    }
                    return n;
                }
            } finally {
                chunk.release();
            }
        }
        return -1;
    }

    /** Up to 300 bytes of the body as text, for error messages. */
    String errorText(Duration idleTimeout) {
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        try {
            while (text.size() < 300 && next(idleTimeout, text::write) >= 0) {
                // gathering
            }
        } catch (IOException e) {
            // what arrived is enough
        }
        byte[] b = text.toByteArray();
        String s = new String(b, 0, Math.min(b.length, 300), StandardCharsets.UTF_8).strip();
        return s.isEmpty() ? "no message" : s;
    }

    /** Aborts the exchange and closes its connection, unless it has completed. Any thread; idempotent. */
    void abort(Throwable cause) {
        request.abort(cause);
    }

    /** Aborts the exchange unless its body was read to the end, so that its connection is not reused. */
    @Override
    public void close() {
        if (!ended) {
            abort(new CancellationException("the body was not read to its end"));
        }
    }

    private void awaitDemand(Content.Source source, Duration idleTimeout) throws IOException {
        CompletableFuture<Void> ready = new CompletableFuture<>();
        source.demand(() -> ready.complete(null));
        await(ready, idleTimeout, "no data for " + idleTimeout.toMillis() + " ms");
    }

    /**
     * Waits for {@code f}; past {@code timeout} or on an interrupt, aborts the exchange and throws
     * ({@link SocketTimeoutException} saying {@code timedOut}, or {@link InterruptedIOException}).
     */
    private void await(CompletableFuture<?> f, Duration timeout, String timedOut) throws IOException {
        try {
            f.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            abort(e);
            throw new SocketTimeoutException(timedOut);
        } catch (ExecutionException e) {
            throw asIOException(e.getCause());
        } catch (InterruptedException e) {
            throw interrupted();
        }
    }

    private InterruptedIOException interrupted() {
        Thread.currentThread().interrupt();
        InterruptedIOException e = new InterruptedIOException("interrupted");
        abort(e);
        return e;
    }

    private static IOException asIOException(Throwable t) {
        if (t instanceof IOException io) {
            return io;
        }
        if (t instanceof TimeoutException) {
            return new SocketTimeoutException(t.getMessage());
        }
        if (t instanceof CancellationException) {
            return new InterruptedIOException("aborted");
        }
        return new IOException(t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage()), t);
    }
}
