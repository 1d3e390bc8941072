package io.deskmesh.node.api.broker;

import io.deskmesh.node.api.ApiException;
import io.javalin.http.Context;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Writes broker answers: JSON bodies, and errors as {@code {"error":{"code","message"}}} with their
 * status. Handlers run through {@link #sync} or {@link #async} so an {@link ApiException} becomes its
 * error whatever route group registered the node's exception handlers. Stateless, thread-safe.
 */
final class BrokerResponses {
    private static final Logger LOG = LoggerFactory.getLogger(BrokerResponses.class);

    private BrokerResponses() {
    }

    /** Work that computes a JSON body, or throws {@link ApiException}. */
    interface Body {
        Object run() throws Exception;
    }

    static void sync(Context ctx, Body body) {
        write(ctx, body);
    }

    /** Runs blocking work (waits on the grid and on hosts) off Jetty's threads, on {@code executor}. */
    static void async(Context ctx, Executor executor, Body body) {
        ctx.future(() -> CompletableFuture.runAsync(() -> write(ctx, body), executor));
    }

    private static void write(Context ctx, Body body) {
        String what = ctx.method() + " " + ctx.path();
        try {
            ctx.json(body.run());
        } catch (ApiException e) {
            if (e.status() == 503) {
                ctx.header("Retry-After", "5");
            }
            error(ctx, e.status(), e.code(), e.getMessage());
        } catch (Exception e) {
            LOG.warn("{} failed", what, e);
            error(ctx, 500, "INTERNAL", "the node failed to answer: " + e + "; try again, and report it if it persists");
        }
    }

    static void error(Context ctx, int status, String code, String message) {
        ctx.status(status).json(Map.of("error", Map.of("code", code, "message", message == null ? "" : message)));
    }
}
