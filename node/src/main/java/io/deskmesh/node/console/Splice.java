package io.deskmesh.node.console;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

/**
 * One open console: a client (a browser's WebSocket, a native viewer's TCP connection) spliced to
 * an {@link Upstream}. Bytes from the client are written upstream on the thread that read them
 * (which reads nothing more until then: the client is slowed, not buffered); bytes from upstream
 * go to the client one chunk at a time. It records when bytes last went either way and when the client last sent any, and closes once,
 * with one {@link ConsoleClose}, telling its {@link Owner}. Thread-safe.
 */
final class Splice implements Upstream.Sink {
    /** Which side of a console this node is. */
    enum Kind {
        /** A front door whose VM is on this node. */
        LOCAL,
        /** A front door whose VM is on another node, reached through that host. */
        HOP,
        /** The host of a VM, serving a hop for another front door. */
        HOST;

        String label() {
            return name().toLowerCase();
        }
    }

    /** Who keeps the books on consoles. */
    interface Owner {
        /** The upstream ended by itself; the owner decides how to close the console. */
        void upstreamEnded(Splice s, int code, String reason, Throwable error);

        /** The console closed (exactly once). */
        void closed(Splice s, ConsoleClose why);
    }

    private final Kind kind;
    private final String sessionId;
    private final String vmId;
    private final String server;
    private final ClientEnd client;
    private final Owner owner;
    private final ConsoleMetrics metrics;
    private final LongSupplier clock;
    private final long connectTimeoutMs;
    private final CompletableFuture<Upstream> upstream = new CompletableFuture<>();
    private final AtomicReference<ConsoleClose> closedAs = new AtomicReference<>();
    private final AtomicBoolean upstreamEnded = new AtomicBoolean();
    private volatile boolean attached;
    private volatile long lastTrafficAt;
    private volatile long lastInputAt;
    private volatile long reportedAt;
    /** Tells the user's key, pointer and clipboard messages from the client's update requests. */
    private final RfbInputMeter input;

    /**
     * @param sessionId the session (front doors), or what the front door said it was (hosts, for logs)
     * @param server    the server hosting the VM
     * @param input     follows the client's RFB stream from where this splice first sees it
     */
    Splice(Kind kind, String sessionId, String vmId, String server, ClientEnd client, RfbInputMeter input, Owner owner,
           ConsoleMetrics metrics, LongSupplier clock, long connectTimeoutMs) {
        this.kind = kind;
        this.sessionId = sessionId;
        this.vmId = vmId;
        this.server = server;
        this.client = client;
        this.input = input;
        this.owner = owner;
        this.metrics = metrics;
        this.clock = clock;
        this.connectTimeoutMs = connectTimeoutMs;
        long now = clock.getAsLong();
        this.lastTrafficAt = now;
        this.reportedAt = now;
        metrics.opened(kind);
    }

    Kind kind() {
        return kind;
    }

    String sessionId() {
        return sessionId;
    }

    String vmId() {
        return vmId;
    }

    String server() {
        return server;
    }

    /** Whether the console reached its VM (and so counts as attached to the session). */
    boolean attached() {
        return attached;
    }

    boolean isClosed() {
        return closedAs.get() != null;
    }

    long lastTrafficAt() {
        return lastTrafficAt;
    }

    /**
     * Whether the user typed, pointed or pasted since activity was last reported, at least
     * {@code everyMs} ago (a client's screen-update requests do not count); if so, resets.
     */
    boolean takeActivity(long now, long everyMs) {
        if (lastInputAt > reportedAt && now - reportedAt >= everyMs) {
            reportedAt = now;
            return true;
        }
        return false;
    }

    /** The upstream is open: bytes may flow. Closes it at once if the console closed meanwhile. */
    void attach(Upstream u) {
        if (!upstream.complete(u) || isClosed()) {
            u.close();
            return;
        }
        attached = true;
        reportedAt = clock.getAsLong();
        metrics.attached(kind);
    }

    /** Client bytes: waits for the upstream to open (up to the connect timeout), then writes them. */
    void fromClient(ByteBuffer data) {
        Upstream u;
        try {
            u = upstream.get(connectTimeoutMs, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            close(ConsoleClose.HOST_GONE, "The desktop's console did not open in time. Connect again.");
            return;
        } catch (ExecutionException | CancellationException e) {
            return; // closed, with its reason
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        int n = data.remaining();
        boolean userInput = input.input(data);
        try {
            u.send(data);
        } catch (IOException e) {
            ended(-1, null, e);
            return;
        }
        long now = clock.getAsLong();
        lastTrafficAt = now;
        if (userInput) {
            lastInputAt = now;
        }
        metrics.fromClient(kind, n);
    }

    @Override
    public CompletableFuture<Void> toClient(ByteBuffer data) {
        if (isClosed()) {
            return CompletableFuture.failedFuture(new CancellationException("the console is closed"));
        }
        int n = data.remaining();
        CompletableFuture<Void> sent = client.send(data).thenRun(() -> lastTrafficAt = clock.getAsLong());
        metrics.toClient(kind, n);
        return sent;
    }

    @Override
    public void ended(int code, String reason, Throwable error) {
        if (!isClosed() && upstreamEnded.compareAndSet(false, true)) {
            owner.upstreamEnded(this, code, reason, error);
        }
    }

    /** The upstream could not be opened. */
    void failed(ConsoleClose why, String reason) {
        upstream.completeExceptionally(new CancellationException(reason));
        close(why, reason);
    }

    /**
     * Closes the console once: the client gets {@code why}'s code and {@code reason} (unless it left
     * by itself), the upstream is closed, the owner told. Later calls do nothing.
     */
    void close(ConsoleClose why, String reason) {
        if (!closedAs.compareAndSet(null, why)) {
            return;
        }
        if (why != ConsoleClose.CLIENT_LEFT) {
            client.close(why, reason);
        }
        if (!upstream.completeExceptionally(new CancellationException("the console closed"))
                && !upstream.isCompletedExceptionally()) {
            upstream.join().close();
        }
        metrics.closed(kind, why);
        owner.closed(this, why);
    }

    @Override
    public String toString() {
        return kind.label() + " console of session " + sessionId + " (VM " + vmId + " on " + server + ")";
    }
}
