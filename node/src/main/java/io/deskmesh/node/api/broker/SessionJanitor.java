package io.deskmesh.node.api.broker;

import io.deskmesh.model.command.ExpireSessionCommand;
import io.deskmesh.model.command.MeshCommand;
import io.deskmesh.model.command.Reply;
import io.deskmesh.model.image.ClusterImage;
import io.deskmesh.model.image.ServerImage;
import io.deskmesh.model.image.SessionImage;
import io.deskmesh.model.image.TemplateImage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Logs off sessions past their timeouts. Runs on every node but acts only on the Raft leader (as the
 * failure detector does), so one node expires each session once: every {@code janitorInterval} it
 * expires, in one log entry,
 * <ul>
 *   <li>DISCONNECTED sessions past their template's {@code disconnectTimeoutSeconds};</li>
 *   <li>CONNECTED sessions past {@code idleTimeoutSeconds} since their last activity;</li>
 *   <li>RESERVED sessions older than the reservation grace: their connect never completed (the front
 *       door died mid-connect, or the client gave up), so nobody is using them.</li>
 * </ul>
 * A template timeout of 0 means never. Sessions whose host is recorded missing are left alone: the
 * minority side may still run them, and they end when their user reconnects elsewhere.
 *
 * <p>Activity is the session's {@code since}: its last state change, moved forward at most once a
 * minute by connects on a connected session: the API's connects, and the console proxy's reports
 * while a console's user types, points or pastes (not the viewer's screen-update requests).
 * Thread-safe.
 */
public final class SessionJanitor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SessionJanitor.class);
    /** At most this many expiries per log entry; the rest wait for the next tick. */
    static final int MAX_PER_TICK = 500;

    private final Supplier<ClusterImage> image;
    private final Function<List<MeshCommand>, CompletableFuture<List<Reply>>> submit;
    private final BooleanSupplier isLeader;
    private final LongSupplier clock;
    private final BrokerSettings settings;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "session-janitor");
        t.setDaemon(true);
        return t;
    });
    private volatile CompletableFuture<?> pending = CompletableFuture.completedFuture(null);

    public SessionJanitor(Supplier<ClusterImage> image, Function<List<MeshCommand>, CompletableFuture<List<Reply>>> submit,
                          BooleanSupplier isLeader, LongSupplier clock, BrokerSettings settings) {
        this.image = image;
        this.submit = submit;
        this.isLeader = isLeader;
        this.clock = clock;
        this.settings = settings;
    }

    public void start() {
        long every = settings.janitorInterval().toMillis();
        timer.scheduleWithFixedDelay(this::tick, every, every, TimeUnit.MILLISECONDS);
    }

    void tick() {
        try {
            if (!pending.isDone() || !isLeader.getAsBoolean()) {
                return;
            }
            List<ExpireSessionCommand> due = due(image.get(), clock.getAsLong(), settings.reservationGrace().toMillis());
            if (due.isEmpty()) {
                return;
            }
            List<MeshCommand> batch = List.copyOf(due.subList(0, Math.min(MAX_PER_TICK, due.size())));
            LOG.info("expiring {} session(s), first {}: {}", batch.size(), due.get(0).sessionId(), due.get(0).reason());
            pending = submit.apply(batch).whenComplete((r, e) -> {
                if (e != null) {
                    LOG.info("expiring sessions was not committed ({}); retrying on the next tick", e.toString());
                }
            });
        } catch (RuntimeException e) {
            LOG.warn("session janitor tick failed: {}", e.toString());
        }
    }

    /** The sessions past their timeouts at {@code now}, sorted by session id, each with why. Pure. */
    static List<ExpireSessionCommand> due(ClusterImage image, long now, long reservationGraceMs) {
        List<ExpireSessionCommand> out = new ArrayList<>();
        for (SessionImage s : image.sessions().all()) {
            ServerImage host = image.servers().get(s.server()).orElse(null);
            TemplateImage t = image.templates().get(s.template()).orElse(null);
            if (host == null || host.missing() || t == null) {
                continue;
            }
            long quiet = now - s.since();
            String why = switch (s.state()) {
                case DISCONNECTED -> past(quiet, t.spec().disconnectTimeoutSeconds(), "disconnected");
                case CONNECTED -> past(quiet, t.spec().idleTimeoutSeconds(), "idle");
                case RESERVED -> quiet >= reservationGraceMs
                        ? "reserved " + quiet / 1000 + " s ago and never connected" : null;
            };
            if (why != null) {
                out.add(new ExpireSessionCommand(s.id(), why));
            }
        }
        return out;
    }

    private static String past(long quietMs, int timeoutSeconds, String what) {
        if (timeoutSeconds <= 0 || quietMs < timeoutSeconds * 1000L) {
            return null;
        }
        return what + " for " + quietMs / 1000 + " s (timeout " + timeoutSeconds + " s)";
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
