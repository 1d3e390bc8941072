package io.deskmesh.node.web;

import io.deskmesh.model.image.ClusterImage;
import io.deskmesh.node.api.Api;
import io.javalin.config.JavalinConfig;

import java.time.Duration;
import java.util.function.Consumer;

/**
 * The node's web side (issue 6): the user portal, the admin console and the live grid stream they
 * use, registered on the node's HTTP server as one route group. Feed it images with
 * {@link #onImage}, {@link #start} it, close it before the HTTP server. Thread-safe.
 *
 * <pre>
 *  GET /            portal.html ─► /api/v1/auth/login · /api/v1/desktops · connect · console-ticket
 *                                  ─► noVNC (/web/novnc/core/rfb.js) ═ WS /console/{session}
 *  GET /admin       admin.html  ─► GET /api/v1/grid/stream (SSE, GridStream) + every /api/v1 admin route
 *  GET /web/...     scripts, styles, noVNC, from the jar's web/ (WebRoutes: CSP, nosniff, no framing)
 * </pre>
 */
public final class WebConsole implements Consumer<JavalinConfig>, AutoCloseable {
    private final WebRoutes routes;
    private final GridStream stream;

    public WebConsole(Api api) {
        this.routes = new WebRoutes(api.settings().scheme());
        this.stream = new GridStream(api.context(), api.authenticator(), Duration.ofMillis(500), Duration.ofSeconds(10));
    }

    @Override
    public void accept(JavalinConfig config) {
        routes.accept(config);
        stream.accept(config);
    }

    public void onImage(ClusterImage image) {
        stream.onImage(image);
    }

    public void start() {
        stream.start();
    }

    public GridStream stream() {
        return stream;
    }

    @Override
    public void close() {
        stream.close();
    }
}
