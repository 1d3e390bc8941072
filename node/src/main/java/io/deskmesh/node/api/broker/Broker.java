package io.deskmesh.node.api.broker;

import io.deskmesh.model.image.ClusterImage;
import io.deskmesh.node.api.ApiContext;
import io.deskmesh.node.api.Authenticator;
import io.javalin.config.JavalinConfig;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Connection brokering on one node, wired: the public desktop and session routes, the host's answers
 * to reservations, the host's internal prepare endpoint (for reconnects), and the session janitor.
 * Register it with the node's HTTP server (it is a route group) and {@link #onImage} as an image
 * listener, {@link #start} it once the node runs, and close it with the node; closing also closes the
 * host preparer and the context's VM preparer. Thread-safe.
 *
 * <pre>
 *  POST /api/v1/desktops/{t}/connect ─► DesktopBroker ─► ReserveDesktopCommand (apply time: router picks the VM)
 *                                          │                 │ Reserved(session, vm, server), applied on every node
 *                                          │                 ▼
 *                                          │   host: HostReservations ─► HostPreparer ─► driver.start
 *                                          │         └► ConnectSessionCommand (or EndSessionCommand with the reason)
 *                                          ├─► HostConfirmations: waits until the log shows the host's answer
 *                                          │   host failed/late: SuspectServer + EndSession + Reserve(exclude host)
 *                                          └─► {"sessionId","vm","server","console":{"url"}}
 *  a reconnect asks the host directly: GridVmPreparer ─► HostPreparer here, or POST /internal/v1/vms/prepare
 *  SessionJanitor (acts on the leader): ExpireSessionCommand for sessions past their timeouts
 * </pre>
 */
public final class Broker implements Consumer<JavalinConfig>, AutoCloseable {
    private final ApiContext ctx;
    private final HostPreparer host;
    private final ExecutorService executor = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("broker-", 0).factory());
    private final DesktopRoutes routes;
    private final PrepareEndpoint prepare;
    private final SessionJanitor janitor;
    private final HostReservations reservations;

    /**
     * @param ctx  the API context; its {@code prepare} should be a {@link GridVmPreparer} over {@code host}
     * @param host this server's own preparer, served to other front doors
     * @param auth     who is calling
     * @param isLeader whether this node leads the Raft group now (the janitor acts only then)
     */
    public Broker(ApiContext ctx, HostPreparer host, Authenticator auth, BooleanSupplier isLeader,
                  BrokerSettings settings) {
        this.ctx = ctx;
        this.host = host;
        this.routes = new DesktopRoutes(ctx, auth, new DesktopBroker(ctx, settings, executor), executor);
        this.prepare = new PrepareEndpoint(host, ctx.gridSecret());
        this.janitor = new SessionJanitor(ctx.image(), ctx.submit(), isLeader, ctx.clock(), settings);
        this.reservations = new HostReservations(host.self(), host::prepare, ctx.submit(), ctx.clock(), settings.prepareDeadline(),
                settings.reservationGrace());
    }

    /** Takes a new image: completes connects whose host answered, and answers reservations this server hosts. */
    public void onImage(ClusterImage image) {
        if (ctx.prepare() instanceof GridVmPreparer grid) {
            grid.confirmations().accept(image);
        }
        reservations.accept(image);
    }

    @Override
    public void accept(JavalinConfig config) {
        routes.accept(config);
        prepare.accept(config);
    }

    /** Starts the session janitor. */
    public void start() {
        janitor.start();
    }

    @Override
    public void close() {
        janitor.close();
        executor.shutdownNow();
        host.close();
        if (ctx.prepare() instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception e) {
                // closing an HTTP client: nothing to do about a failure
            }
        }
    }
}
