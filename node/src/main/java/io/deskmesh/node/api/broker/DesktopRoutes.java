package io.deskmesh.node.api.broker;

import io.deskmesh.model.image.ClusterImage;
import io.deskmesh.model.image.SessionImage;
import io.deskmesh.node.api.ApiContext;
import io.deskmesh.node.api.ApiException;
import io.deskmesh.node.api.Authenticator;
import io.deskmesh.node.api.Principal;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The user-facing brokering routes of the REST API v1:
 * <ul>
 *   <li>{@code GET /api/v1/desktops} — the caller's entitled templates with availability, and their sessions;</li>
 *   <li>{@code POST /api/v1/desktops/{template}/connect} — a desktop (or the caller's session) made ready;</li>
 *   <li>{@code GET /api/v1/sessions} — admins: every session, filtered by {@code user}, {@code template},
 *       {@code server}, {@code state}; users: their own;</li>
 *   <li>{@code POST /api/v1/sessions/{id}/disconnect} and {@code DELETE /api/v1/sessions/{id}} (log off) —
 *       users only on their own sessions; another's is answered 404, like one that does not exist.</li>
 * </ul>
 * Every route authenticates through the {@link Authenticator} it is given. Writes wait on the grid and
 * on hosts, so they run on {@code executor} rather than on Jetty's threads. Thread-safe.
 */
public final class DesktopRoutes implements Consumer<JavalinConfig> {
    private final ApiContext ctx;
    private final Authenticator auth;
    private final DesktopBroker broker;
    private final Executor executor;

    public DesktopRoutes(ApiContext ctx, Authenticator auth, DesktopBroker broker, Executor executor) {
        this.ctx = ctx;
        this.auth = auth;
        this.broker = broker;
        this.executor = executor;
    }

    @Override
    public void accept(JavalinConfig config) {
        config.routes.get("/api/v1/desktops", c -> BrokerResponses.sync(c, () ->
                BrokerViews.desktops(ctx.image().get(), auth.require(c).user())));
        config.routes.post("/api/v1/desktops/{template}/connect", c -> {
            Principal p = authenticated(c);
            if (p != null) {
                String template = c.pathParam("template");
                BrokerResponses.async(c, executor, () -> BrokerViews.Connected.of(broker.connect(p.user(), template)));
            }
        });
        config.routes.get("/api/v1/sessions", c -> BrokerResponses.sync(c, () -> Map.of("sessions", sessions(c, auth.require(c)))));
        config.routes.post("/api/v1/sessions/{id}/disconnect", c -> {
            Principal p = authenticated(c);
            if (p != null) {
                String id = c.pathParam("id");
                BrokerResponses.async(c, executor, () -> BrokerViews.Session.of(broker.disconnect(p, id)));
            }
        });
        config.routes.delete("/api/v1/sessions/{id}", c -> {
            Principal p = authenticated(c);
            if (p != null) {
                String id = c.pathParam("id");
                BrokerResponses.async(c, executor, () -> {
                    broker.logOff(p, id);
                    return Map.of("sessionId", id, "state", "ended");
                });
            }
        });
    }

    /** The caller, or null after answering 401. Authentication is checked before any work is queued. */
    private Principal authenticated(Context c) {
        try {
            return auth.require(c);
        } catch (ApiException e) {
            BrokerResponses.error(c, e.status(), e.code(), e.getMessage());
            return null;
        }
    }

    private List<BrokerViews.Session> sessions(Context c, Principal p) {
        ClusterImage image = ctx.image().get();
        String user = c.queryParam("user");
        String template = c.queryParam("template");
        String server = c.queryParam("server");
        String state = c.queryParam("state");
        if (state != null && Stream.of("reserved", "connected", "disconnected").noneMatch(state::equals)) {
            throw new ApiException(400, "INVALID", "query parameter 'state' is '" + state
                    + "'; use reserved, connected or disconnected");
        }
        Stream<SessionImage> all = p.admin() ? image.sessions().all().stream() : image.sessions().ofUser(p.user()).stream();
        return all.filter(s -> user == null || s.user().equals(user))
                .filter(s -> template == null || s.template().equals(template))
                .filter(s -> server == null || s.server().equals(server))
                .filter(s -> state == null || s.state().name().toLowerCase(Locale.ROOT).equals(state))
                .map(BrokerViews.Session::of)
                .toList();
    }
}
