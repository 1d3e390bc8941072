package io.deskmesh.node.web;

import io.deskmesh.model.image.ClusterImage;
import io.deskmesh.model.image.ServerImage;
import io.deskmesh.node.api.ApiContext;
import io.deskmesh.node.api.Authenticator;
import io.deskmesh.node.api.Principal;
import io.deskmesh.node.api.Responses;
import io.deskmesh.node.http.ClusterView;
import io.javalin.config.JavalinConfig;
import io.javalin.http.sse.SseClient;
import io.javalin.http.sse.SseHandler;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * {@code GET /api/v1/grid/stream}: the grid at a glance as server-sent events, for the admin console
 * (admins only; the session cookie or a Bearer token). Each {@code grid} event carries
 * {@code {"cluster": <as GET /api/v1/cluster>, "history": [<per minute: sessions, logins>]}}: one at
 * once, then one whenever the node's image changed, at most every {@code debounce} (a busy grid
 * applies hundreds of entries a second; a page needs a few frames), and one every {@code heartbeat}
 * regardless, which also moves the charts on. A stream ends when its token expires, is revoked, or its
 * user stops being an admin. Each client is written on its own virtual thread, one event at a time,
 * and skips frames while it is slow, so a slow page never holds up the others. Thread-safe.
 */
public final class GridStream implements Consumer<JavalinConfig>, AutoCloseable {
    public static final String PATH = "/api/v1/grid/stream";

    private final ApiContext ctx;
    private final Authenticator auth;
    private final Duration debounce;
    private final Duration heartbeat;
    private final GridHistory history = new GridHistory();
    private final Set<Client> clients = ConcurrentHashMap.newKeySet();
    private final ExecutorService writers = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("grid-stream-", 0).factory());
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "grid-stream-timer");
        t.setDaemon(true);
        return t;
    });
    private volatile long changedIndex = -1;
    private long sentIndex = -1;
    private long sentAt;

    /** One open stream and whose it is. */
    private record Client(SseClient sse, Principal who, AtomicBoolean busy) {
    }

    public GridStream(ApiContext ctx, Authenticator auth, Duration debounce, Duration heartbeat) {
        this.ctx = ctx;
        this.auth = auth;
        this.debounce = debounce;
        this.heartbeat = heartbeat;
    }

    @Override
    public void accept(JavalinConfig config) {
        config.routes.get(PATH, c -> {
            Principal who = auth.requireAdmin(c); // 401/403 as JSON, before the stream starts
            c.header("Cache-Control", "no-store");
            new SseHandler(sse -> open(sse, who)).handle(c);
        });
    }

    private void open(SseClient sse, Principal who) {
        Client client = new Client(sse, who, new AtomicBoolean());
        sse.keepAlive();
        sse.onClose(() -> clients.remove(client));
        clients.add(client);
        send(client, frame(ctx.image().get()));
    }

    /** Called with every image the node applies; cheap: the timer does the work. */
    public void onImage(ClusterImage image) {
        changedIndex = image.index();
    }

    public void start() {
        long every = debounce.toMillis();
        timer.scheduleWithFixedDelay(this::tick, every, every, TimeUnit.MILLISECONDS);
    }

    private void tick() {
        try {
            ClusterImage image = ctx.image().get();
            long now = ctx.clock().getAsLong();
            history.sample(now, image.sessions().size());
            boolean changed = changedIndex != sentIndex;
            if (clients.isEmpty() || (!changed && now - sentAt < heartbeat.toMillis())) {
                return;
            }
            sentIndex = image.index();
            sentAt = now;
            String frame = frame(image);
            for (Client c : clients) {
                if (stillAllowed(c)) {
                    send(c, frame);
                } else {
                    clients.remove(c);
                    c.sse().close();
                }
            }
        } catch (RuntimeException e) {
            org.slf4j.LoggerFactory.getLogger(GridStream.class).warn("grid stream tick failed", e);
        }
    }

    private boolean stillAllowed(Client c) {
        return auth.recheck(c.who()).filter(Principal::admin).isPresent();
    }

    private void send(Client c, String frame) {
        if (!c.busy().compareAndSet(false, true)) {
            return; // still writing the previous frame: this one is skipped, a newer one follows
        }
        writers.execute(() -> {
            try {
                if (!c.sse().terminated()) {
                    c.sse().sendEvent("grid", frame);
                }
            } finally {
                c.busy().set(false);
            }
        });
    }

    private String frame(ClusterImage image) {
        String leader = null;
        for (ServerImage s : image.servers().all()) {
            if ("leader".equals(ctx.raft().role(s.name()))) {
                leader = s.name();
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("cluster", ClusterView.of(image, ctx.self(), leader));
        out.put("history", history.points(ctx.clock().getAsLong(), image));
        try {
            return Responses.JSON.writeValueAsString(out);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("the grid view did not serialise", e);
        }
    }

    /** Open streams, for tests and metrics. */
    public int clients() {
        return clients.size();
    }

    @Override
    public void close() {
        timer.shutdownNow();
        for (Client c : clients) {
            c.sse().close();
        }
        clients.clear();
        writers.shutdownNow();
    }
}
