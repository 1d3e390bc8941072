package io.deskmesh.node.console;

import io.deskmesh.hypervisor.HypervisorDriver;
import io.deskmesh.model.image.ClusterImage;
import io.deskmesh.model.image.SessionImage;
import io.deskmesh.model.image.VmImage;
import io.deskmesh.node.api.ApiContext;
import io.deskmesh.node.api.Authenticator;
import io.javalin.config.JavalinConfig;
import io.javalin.websocket.WsConfig;
import io.javalin.websocket.WsConnectContext;
import io.javalin.websocket.WsContext;
import org.eclipse.jetty.websocket.api.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The console proxy of one node's front door (design point 5): clients reach their desktop's
 * console only through the node they logged in to, whichever server hosts the VM.
 *
 * <pre>
 *  POST /api/v1/sessions/{id}/console-ticket ─► ConsoleTickets: single use, 30 s, this node only
 *  WS /console/{sessionId}?ticket=T ─► admit ticket, session is the ticket holder's
 *     ├─ VM on this node:   TcpUpstream ─► driver.console(vm): 127.0.0.1:port (VNC)
 *     └─ VM on server H:    HopUpstream ─► WS H/internal/v1/console/{vm} (grid secret) ─► H: TcpUpstream ─► VNC
 *  attach ─► ConnectSession · client bytes ─► ConnectSession at most once a minute (activity) · detach ─► DisconnectSession
 *  closed when: the session leaves the image · no byte either way for the idle timeout · the upstream ends
 *  (its host gone: 4502 with the host's name) · this node shuts down (1001)
 *
 *  POST /api/v1/sessions/{id}/connection-file ─► ConsolePasswords: a .vv file with a one-time VNC password
 *  TCP --console-port ─► VncEntry: RFB, VNC Authentication against those passwords ─► openNative:
 *     the same upstreams as above, their VNC handshake answered by UpstreamGreeting, then the same splice
 * </pre>
 *
 * Close codes and reasons are {@link ConsoleClose}s, worded for the page to show. Connecting runs on
 * virtual threads; one timer per node checks open consoles every {@code sweepInterval}.
 * Register it with the node's HTTP server (it is a route group), {@link #start} it, feed it new
 * images with {@link #onImage}, and close it before the HTTP server. Thread-safe.
 */
public final class ConsoleProxy implements Consumer<JavalinConfig>, Splice.Owner, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ConsoleProxy.class);
    public static final String CONSOLE_PATH = "/console/{sessionId}";
    public static final String HOST_PATH = "/internal/v1/console/{vmId}";
    /** Largest message a client (or a front door) may send: clipboard text is the big one. */
    private static final long MAX_MESSAGE_BYTES = 4L << 20;
    /** How long a console whose VM went away waits for this node's image to show whether its session ended. */
    static final Duration END_GRACE = Duration.ofSeconds(2);

    private final ApiContext ctx;
    private final ConsoleSettings settings;
    private final ConsoleTickets tickets;
    private final ConsoleTicketRoute ticketRoute;
    private final ConsolePasswords passwords = new ConsolePasswords();
    private final ConnectionFileRoute fileRoute;
    /** The native console entry, or null when this node has none. */
    private final VncEntry entry;
    private final ConsoleDialer dialer;
    private final ConsoleMetrics metrics;
    private final SessionActivity activity;
    private final byte[] secret;
    /** Open consoles by their client: a WebSocket {@link Session} or a {@link TcpClientEnd}. */
    private final Map<Object, Splice> open = new ConcurrentHashMap<>();
    private final ExecutorService connector = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("console-open-", 0).factory());
    private final ScheduledExecutorService sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "console-sweeper");
        t.setDaemon(true);
        return t;
    });
    private volatile boolean closing;

    /**
     * @param ctx          the node's API context (image, writes, grid secret, clock, name)
     * @param auth         who asks for tickets
     * @param driver       this host's hypervisor, for the consoles of its own VMs
     * @param maxBodyBytes the API's body limit (a ticket request has no body)
     * @param vnc          where the native console entry listens (this node's advertised host; port 0 for
     *                     any free one), or null for none
     */
    public ConsoleProxy(ApiContext ctx, Authenticator auth, HypervisorDriver driver, ConsoleSettings settings,
                        int maxBodyBytes, InetSocketAddress vnc) {
        this.ctx = ctx;
        this.settings = settings;
        this.tickets = new ConsoleTickets(ctx.gridSecret(), ctx.self());
        this.ticketRoute = new ConsoleTicketRoute(ctx, auth, tickets, settings.ticketTtl().toMillis(), maxBodyBytes);
        this.dialer = new ConsoleDialer(ctx.self(), driver, ctx.image(), ctx.gridSecret(), settings.connectTimeout());
        this.metrics = new ConsoleMetrics(ctx.self());
        this.activity = new SessionActivity(ctx.submit());
        this.secret = ctx.gridSecret().getBytes(StandardCharsets.UTF_8);
        this.entry = vnc == null ? null : new VncEntry(ctx.self(), vnc, passwords, ctx.clock(), metrics, this::openNative);
        this.fileRoute = new ConnectionFileRoute(ctx, auth, passwords, vnc == null ? null : vnc.getHostString(),
                this::vncPort, settings.fileTtl().toMillis(), maxBodyBytes);
    }

    /** Without a native console entry. */
    public ConsoleProxy(ApiContext ctx, Authenticator auth, HypervisorDriver driver, ConsoleSettings settings,
                        int maxBodyBytes) {
        this(ctx, auth, driver, settings, maxBodyBytes, null);
    }

    @Override
    public void accept(JavalinConfig config) {
        ticketRoute.accept(config);
        fileRoute.accept(config);
        config.routes.ws(CONSOLE_PATH, ws -> {
            ws.onConnect(this::openConsole);
            splice(ws);
        });
        config.routes.ws(HOST_PATH, ws -> {
            ws.onConnect(this::openHosted);
            splice(ws);
        });
    }

    private void splice(WsConfig ws) {
        ws.onBinaryMessage(m -> {
            Splice s = open.get(m.session);
            if (s != null) {
                s.fromClient(m.data());
            }
        });
        ws.onClose(c -> clientLeft(c.session));
        ws.onError(c -> clientLeft(c.session));
    }

    /**
     * Opens the native console entry, if any, and starts checking open consoles for idleness, ended
     * sessions and activity to report; throws when the entry's port cannot be opened.
     */
    public void start() throws IOException {
        if (entry != null) {
            entry.start();
        }
        long every = settings.sweepInterval().toMillis();
        sweeper.scheduleWithFixedDelay(this::sweep, every, every, TimeUnit.MILLISECONDS);
    }

    // ---- opening --------------------------------------------------------------------------------

    private void openConsole(WsConnectContext c) {
        configure(c.session);
        String sessionId = c.pathParam("sessionId");
        ConsoleTickets.Ticket ticket;
        try {
            ticket = tickets.admit(c.queryParam("ticket"), sessionId, ctx.clock().getAsLong());
        } catch (ConsoleTickets.Refused e) {
            refuse(c, ConsoleClose.BAD_TICKET, e.getMessage());
            return;
        }
        SessionImage s = ctx.image().get().sessions().get(sessionId).filter(x -> x.user().equals(ticket.user())).orElse(null);
        if (s == null) {
            refuse(c, ConsoleClose.NO_SESSION, "Your session has ended. Connect to your desktop again.");
            return;
        }
        boolean local = s.server().equals(ctx.self());
        Splice splice = register(c.session, ClientEnd.of(c.session), new RfbInputMeter(),
                local ? Splice.Kind.LOCAL : Splice.Kind.HOP, s.id(), s.vmId(), s.server());
        dial(splice, () -> local ? dialer.local(s.vmId(), splice) : dialer.viaHost(s.server(), s.vmId(), s.id(), splice));
    }

    private void openHosted(WsConnectContext c) {
        configure(c.session);
        String header = c.header("Authorization");
        if (header == null || !header.startsWith("Bearer ")
                || !MessageDigest.isEqual(header.substring(7).trim().getBytes(StandardCharsets.UTF_8), secret)) {
            refuse(c, ConsoleClose.BAD_TOKEN, "Console hops are for grid members: pass the grid's join token as Bearer.");
            return;
        }
        String vmId = c.pathParam("vmId");
        VmImage vm = ctx.image().get().vms().get(vmId).orElse(null);
        if (vm == null || !vm.server().equals(ctx.self())) {
            refuse(c, ConsoleClose.NO_SESSION, "VM '" + vmId + "' is not on server '" + ctx.self() + "'.");
            return;
        }
        Splice splice = register(c.session, ClientEnd.of(c.session), new RfbInputMeter(), Splice.Kind.HOST,
                c.queryParam("session"), vmId, ctx.self());
        dial(splice, () -> dialer.local(vmId, splice));
    }

    private void configure(Session session) {
        // The proxy's sweep enforces the idle timeout on data; Jetty's, a little longer, catches dead sockets.
        session.setIdleTimeout(settings.idleTimeout().plus(Duration.ofMinutes(1)));
        session.setMaxBinaryMessageSize(MAX_MESSAGE_BYTES);
    }

    /**
     * A native viewer that answered with a one-time password (on the entry's virtual thread): the
     * session is checked, the VM's console opened and its handshake answered before the viewer hears
     * OK (or why not), then the viewer's socket is pumped into the splice on this thread.
     */
    private void openNative(Socket socket, VncGate gate, ConsolePasswords.Grant grant) {
        SessionImage s = ctx.image().get().sessions().get(grant.sessionId()).filter(x -> x.user().equals(grant.user()))
                .orElse(null);
        TcpClientEnd client;
        try {
            if (s == null) {
                metrics.refused(ConsoleClose.NO_SESSION);
                gate.fail("Your session has ended. Connect to your desktop again in the portal.");
                socket.close();
                return;
            }
            client = new TcpClientEnd(socket);
        } catch (IOException e) {
            closeQuietly(socket);
            return;
        }
        boolean local = s.server().equals(ctx.self());
        Splice splice = register(client, client, RfbInputMeter.afterSecurity(), local ? Splice.Kind.LOCAL : Splice.Kind.HOP,
                s.id(), s.vmId(), s.server());
        UpstreamGreeting greeting = new UpstreamGreeting(splice);
        Upstream u = null;
        try {
            u = local ? dialer.local(s.vmId(), greeting) : dialer.viaHost(s.server(), s.vmId(), s.id(), greeting);
            greeting.handshake(u, settings.connectTimeout().toMillis());
            if (splice.isClosed()) { // the session ended or this node is shutting down meanwhile
                throw new ConsoleDialer.Failure(ConsoleClose.FAILED, "The console closed while it opened. Try again.");
            }
            gate.admit();
            socket.setSoTimeout(0);
        } catch (ConsoleDialer.Failure f) {
            LOG.info("{} could not open: {}", splice, f.getMessage());
            failNative(gate, splice, u, f.why, f.getMessage());
            return;
        } catch (IOException e) {
            LOG.info("{} could not open: {}", splice, e.getMessage());
            failNative(gate, splice, u, ConsoleClose.NOT_RUNNING, e.getMessage());
            return;
        }
        splice.attach(u);
        greeting.passThrough();
        if (splice.attached() && !splice.isClosed()) {
            activity.attached(s.id());
        }
        client.pump(splice::fromClient);
        clientLeft(client);
    }

    /** Tells a native viewer why its console did not open (in the security result), then closes it. */
    private void failNative(VncGate gate, Splice splice, Upstream u, ConsoleClose why, String reason) {
        try {
            gate.fail(reason);
        } catch (IOException e) {
            // the viewer left already
        }
        if (u != null) {
            u.close();
        }
        splice.failed(why, reason);
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // closing: nothing more to do
        }
    }

    private Splice register(Object key, ClientEnd client, RfbInputMeter input, Splice.Kind kind, String sessionId,
                            String vmId, String server) {
        Splice s = new Splice(kind, sessionId, vmId, server, client, input, this, metrics, ctx.clock(),
                settings.connectTimeout().toMillis());
        open.put(key, s);
        if (closing) {
            s.close(ConsoleClose.SHUTDOWN, shuttingDown());
        }
        return s;
    }

    private void refuse(WsContext c, ConsoleClose why, String reason) {
        LOG.info("console {} refused ({}): {}", c.pathParamMap(), why, reason);
        metrics.refused(why);
        c.closeSession(why.code(), ConsoleClose.fit(reason));
    }

    /** Opens the far end of a console, off the WebSocket's thread. */
    private interface Dial {
        Upstream open() throws ConsoleDialer.Failure;
    }

    private void dial(Splice s, Dial how) {
        try {
            connector.execute(() -> {
                try {
                    s.attach(how.open());
                    if (s.kind() != Splice.Kind.HOST && s.attached() && !s.isClosed()) {
                        activity.attached(s.sessionId());
                    }
                } catch (ConsoleDialer.Failure f) {
                    LOG.info("{} could not open: {}", s, f.getMessage());
                    s.failed(f.why, f.getMessage());
                } catch (RuntimeException e) {
                    LOG.warn("{} could not open", s, e);
                    s.failed(ConsoleClose.FAILED, "The console could not be opened: " + e.getClass().getSimpleName());
                }
            });
        } catch (RejectedExecutionException e) {
            s.failed(ConsoleClose.SHUTDOWN, shuttingDown());
        }
    }

    // ---- closing --------------------------------------------------------------------------------

    private void clientLeft(Object client) {
        Splice s = open.get(client);
        if (s != null) {
            s.close(ConsoleClose.CLIENT_LEFT, null);
        }
    }

    @Override
    public void upstreamEnded(Splice s, int code, String reason, Throwable error) {
        boolean hop = s.kind() == Splice.Kind.HOP;
        if (hop && code != 1000 && (code < 4000 || code >= 5000)) {
            LOG.info("{}: its host went away ({})", s, error != null ? error.toString() : code + " " + reason);
            s.close(ConsoleClose.HOST_GONE, ConsoleDialer.gone(s.server()) + " went away. Connect again.");
            return;
        }
        ConsoleClose forwarded = hop && code >= 4000 ? ConsoleClose.of(code) : null;
        if (forwarded != null && forwarded != ConsoleClose.NOT_RUNNING) {
            s.close(forwarded, reason); // the host's own close (idle, refused), passed on
        } else if (s.kind() == Splice.Kind.HOST) {
            s.close(ConsoleClose.NOT_RUNNING, notRunning());
        } else {
            vmConsoleClosed(s);
        }
    }

    /**
     * A front door's console whose VM console closed: a logged-off desktop's console closes as its host
     * powers the VM off, which may happen before this node applies the end of the session, so the image
     * gets {@link #END_GRACE} to say whether the session ended (4410) or only the VM stopped (4409).
     */
    private void vmConsoleClosed(Splice s) {
        if (sessionGone(ctx.image().get(), s)) {
            s.close(ConsoleClose.ENDED, ended());
            return;
        }
        Runnable decide = () -> {
            boolean gone = sessionGone(ctx.image().get(), s);
            s.close(gone ? ConsoleClose.ENDED : ConsoleClose.NOT_RUNNING, gone ? ended() : notRunning());
        };
        try {
            sweeper.schedule(decide, END_GRACE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            decide.run();
        }
    }

    @Override
    public void closed(Splice s, ConsoleClose why) {
        open.values().remove(s);
        if (s.kind() == Splice.Kind.HOST || !s.attached() || why == ConsoleClose.ENDED || why == ConsoleClose.SHUTDOWN) {
            return;
        }
        boolean another = open.values().stream().anyMatch(o -> o.attached() && s.sessionId().equals(o.sessionId()));
        if (!another && !sessionGone(ctx.image().get(), s)) {
            activity.detached(s.sessionId());
        }
    }

    /** Closes the consoles of sessions that left the image: the session ended, whoever ended it. */
    public void onImage(ClusterImage image) {
        for (Splice s : open.values()) {
            if (s.kind() != Splice.Kind.HOST && sessionGone(image, s)) {
                s.close(ConsoleClose.ENDED, ended());
            }
        }
    }

    void sweep() {
        try {
            long now = ctx.clock().getAsLong();
            tickets.prune(now);
            passwords.prune(now);
            if (entry != null) {
                entry.prune(now);
            }
            ClusterImage image = ctx.image().get();
            long idle = settings.idleTimeout().toMillis();
            for (Splice s : open.values()) {
                if (now - s.lastTrafficAt() >= idle) {
                    s.close(ConsoleClose.IDLE, "Nothing happened for " + minutes(idle) + "; the console was closed."
                            + " Reconnect to continue.");
                } else if (s.kind() != Splice.Kind.HOST && sessionGone(image, s)) {
                    s.close(ConsoleClose.ENDED, ended());
                } else if (s.kind() != Splice.Kind.HOST && s.takeActivity(now, settings.activityEvery().toMillis())) {
                    activity.active(s.sessionId());
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("console sweep failed: {}", e.toString());
        }
    }

    private static boolean sessionGone(ClusterImage image, Splice s) {
        return image.sessions().get(s.sessionId()).isEmpty();
    }

    private static String ended() {
        return "Your session has ended.";
    }

    private static String notRunning() {
        return "Your desktop's console closed: it was shut down or restarted.";
    }

    private static String shuttingDown() {
        return "This server is shutting down. Connect again.";
    }

    private static String minutes(long ms) {
        return ms >= 60_000 ? ms / 60_000 + " min" : ms / 1000 + " s";
    }

    // ---- views ----------------------------------------------------------------------------------

    /** The port of this node's native console entry, once open; empty when it has none. */
    public OptionalInt vncPort() {
        return entry == null || !entry.started() ? OptionalInt.empty() : OptionalInt.of(entry.port());
    }

    /** This node's one-time VNC passwords (tests issue expired ones). */
    ConsolePasswords passwords() {
        return passwords;
    }

    /** Consoles open on this node now (front door and host sides). */
    public int openConsoles() {
        return open.size();
    }

    public ConsoleMetrics metrics() {
        return metrics;
    }

    /** The proxy's metrics in Prometheus text, for {@code GET /metrics}. */
    public String scrape() {
        return metrics.scrape();
    }

    /** Closes every console with 1001 (reconnect through another node) and stops. Idempotent. */
    @Override
    public void close() {
        closing = true;
        if (entry != null) {
            entry.close();
        }
        sweeper.shutdownNow();
        for (Splice s : open.values()) {
            s.close(ConsoleClose.SHUTDOWN, shuttingDown());
        }
        connector.shutdownNow();
        dialer.close();
    }
}
