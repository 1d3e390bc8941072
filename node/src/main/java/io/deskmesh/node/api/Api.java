package io.deskmesh.node.api;

import io.deskmesh.node.api.admin.EventRoutes;
import io.deskmesh.node.api.admin.GrantRoutes;
import io.deskmesh.node.api.admin.GroupRoutes;
import io.deskmesh.node.api.admin.InventoryRoutes;
import io.deskmesh.node.api.admin.ServerRoutes;
import io.deskmesh.node.api.admin.TemplateRoutes;
import io.deskmesh.node.api.admin.UserRoutes;
import io.deskmesh.node.api.auth.ApiTokens;
import io.deskmesh.node.api.auth.AuthRoutes;
import io.deskmesh.node.api.auth.HashingPool;
import io.deskmesh.node.api.auth.LoginThrottle;
import io.deskmesh.node.api.auth.SessionIssuer;
import io.deskmesh.node.api.auth.TokenAuthenticator;
import io.javalin.config.JavalinConfig;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The public REST API v1 of a node ({@code /api/v1/...}): the composition root that builds the
 * authenticator, the password pool, the login throttle and the audited write path, and registers
 * every route group on the node's HTTP server. Route groups are added to {@link #groups} (more with
 * {@link #add} before the server is built). Thread-safe once built.
 *
 * <pre>
 *  request ─► route group ─► Authenticator (token / cookie + CSRF, role from the image)
 *                 │ reads: the node's image                 │ writes: AuditedWrites
 *                 ▼                                         ▼ dry run, then [commands + audit] in one entry
 *            JSON answer  ◄── Responses (errors, async) ◄── CommandSubmitter ─► Raft log
 *  login ─► LoginThrottle ─► HashingPool (Argon2id, bounded) ─► ApiTokens (HMAC, grid secret)
 * </pre>
 */
public final class Api implements Consumer<JavalinConfig>, AutoCloseable {
    private final ApiContext context;
    private final ApiSettings settings;
    private final TokenAuthenticator authenticator;
    private final HashingPool hashing;
    private final AuditedWrites writes;
    private final List<Consumer<JavalinConfig>> groups = new ArrayList<>();
    private volatile io.javalin.router.InternalRouter router;

    /** One registered HTTP route. */
    public record Route(String method, String path) {
    }

    public Api(ApiContext context) {
        this(context, ApiSettings.defaults());
    }

    public Api(ApiContext context, ApiSettings settings) {
        this.context = context;
        this.settings = settings;
        ApiTokens tokens = new ApiTokens(context.gridSecret());
        this.authenticator = new TokenAuthenticator(context, tokens);
        this.hashing = new HashingPool(settings.hasher(), settings.hashThreads(), settings.hashQueue(), context.self());
        this.writes = new AuditedWrites(context);
        LoginThrottle throttle = new LoginThrottle(settings.userFailures(), settings.userRefill(), settings.addressFailures(),
                settings.addressRefill(), 100_000);
        ApiServices services = new ApiServices(context, settings, authenticator, writes, hashing);
        SessionIssuer sessions = new SessionIssuer(context, settings, tokens);
        groups.add(new AuthRoutes(context, settings, sessions, authenticator, throttle, hashing, writes));
        groups.add(new TemplateRoutes(services));
        groups.add(new UserRoutes(services, sessions));
        groups.add(new GroupRoutes(services));
        groups.add(new GrantRoutes(services));
        groups.add(new ServerRoutes(services));
        groups.add(new InventoryRoutes(services));
        groups.add(new EventRoutes(services));
        groups.add(new OpenApiRoute());
    }

    public ApiContext context() {
        return context;
    }

    public ApiSettings settings() {
        return settings;
    }

    /** Who is calling: bearer token or session cookie (with CSRF for changes); for every route group. */
    public Authenticator authenticator() {
        return authenticator;
    }

    /** The audited write path, for route groups whose changes belong in the audit trail. */
    public AuditedWrites writes() {
        return writes;
    }

    /** The bounded pool for password hashing and verification. */
    public HashingPool hashing() {
        return hashing;
    }

    /** Adds a route group; only before the HTTP server is built from this API. */
    public Api add(Consumer<JavalinConfig> group) {
        groups.add(group);
        return this;
    }

    /** Every HTTP route registered on the server this API was added to (all groups', and the node's own). */
    public List<Route> routes() {
        io.javalin.router.InternalRouter r = router;
        if (r == null) {
            return List.of();
        }
        return r.allHttpHandlers().stream().map(e -> new Route(e.endpoint.method.name(), e.endpoint.path)).toList();
    }

    @Override
    public void accept(JavalinConfig config) {
        router = config.unsafe.internalRouter;
        config.routes.exception(ApiException.class, (e, ctx) -> Responses.fail(ctx, e));
        config.routes.error(404, ctx -> {
            String type = ctx.res().getContentType();
            if (ctx.path().startsWith("/api/v1/") && (type == null || !type.startsWith("application/json"))) {
                Responses.fail(ctx, ApiException.notFound("there is no endpoint " + ctx.method() + " " + ctx.path()
                        + "; GET " + OpenApiRoute.PATH + " describes the API"));
            }
        });
        for (Consumer<JavalinConfig> group : groups) {
            group.accept(config);
        }
    }

    @Override
    public void close() {
        hashing.close();
    }
}
