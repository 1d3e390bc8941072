package io.deskmesh.node.web;

import io.deskmesh.node.api.RequestScheme;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Serves the browser side from the node's jar: the user portal at {@code /}, the admin console at
 * {@code /admin}, and their scripts, styles and the bundled noVNC under {@code /web/...} (classpath
 * {@code web/}). Every answer of the node, API included, gets the browser-hardening headers: a strict
 * Content-Security-Policy (scripts, styles and connections from this node only, no inline code, no
 * framing), {@code nosniff} and no referrer. Nothing is loaded from elsewhere: a grid may have no
 * internet. Stateless, thread-safe.
 */
public final class WebRoutes implements Consumer<JavalinConfig> {
    /** No inline scripts or styles; noVNC draws on a canvas and sets sizes through the CSSOM, which CSP allows. */
    static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:;"
            + " connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self';"
            + " frame-ancestors 'none'";
    private static final Pattern ASSET = Pattern.compile("[A-Za-z0-9_-]+(/[A-Za-z0-9_.-]+)*\\.(html|js|css|svg|png|ico)");
    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "svg", "image/svg+xml",
            "png", "image/png",
            "ico", "image/x-icon");
    private static final String ROOT = "web/";
    private final RequestScheme scheme;

    /** scheme: tells whether a browser came over https, for Strict-Transport-Security. */
    public WebRoutes(RequestScheme scheme) {
        this.scheme = scheme;
    }

    @Override
    public void accept(JavalinConfig config) {
        config.routes.before(this::harden);
        config.routes.get("/", ctx -> page(ctx, "portal.html"));
        config.routes.get("/admin", ctx -> page(ctx, "admin.html"));
        config.routes.get("/web/<path>", ctx -> asset(ctx, ctx.pathParam("path")));
    }

    void harden(Context ctx) {
        ctx.header("Content-Security-Policy", CSP);
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("X-Frame-Options", "DENY");
        ctx.header("Referrer-Policy", "no-referrer");
        ctx.header("Cross-Origin-Opener-Policy", "same-origin");
        if (scheme.https(ctx)) {
            ctx.header("Strict-Transport-Security", "max-age=31536000");
        }
    }

    private static void page(Context ctx, String name) throws IOException {
        if (!serve(ctx, name)) {
            throw new IllegalStateException("the node's jar lacks " + ROOT + name + "; rebuild it");
        }
        ctx.header("Cache-Control", "no-store");
    }

    private static void asset(Context ctx, String path) throws IOException {
        if (!ASSET.matcher(path).matches() || !serve(ctx, path)) {
            ctx.status(404).contentType("text/plain; charset=utf-8").result("no such file: /web/" + path);
            return;
        }
        ctx.header("Cache-Control", "no-cache");
    }

    /** Writes the classpath file {@code web/<path>} if it exists; {@code path} is already checked to stay inside. */
    private static boolean serve(Context ctx, String path) throws IOException {
        try (InputStream in = WebRoutes.class.getClassLoader().getResourceAsStream(ROOT + path)) {
            if (in == null) {
                return false;
            }
            String ext = path.substring(path.lastIndexOf('.') + 1);
            ctx.contentType(TYPES.get(ext)).result(in.readAllBytes());
            return true;
        }
    }
}
