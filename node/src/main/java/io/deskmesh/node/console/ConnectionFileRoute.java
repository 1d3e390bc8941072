package io.deskmesh.node.console;

import io.deskmesh.model.image.SessionImage;
import io.deskmesh.node.api.ApiContext;
import io.deskmesh.node.api.ApiException;
import io.deskmesh.node.api.Authenticator;
import io.deskmesh.node.api.JsonBody;
import io.deskmesh.node.api.Principal;
import io.deskmesh.node.api.Responses;
import io.deskmesh.node.api.Responses.Response;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalInt;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * {@code POST /api/v1/sessions/{id}/connection-file}: a virt-viewer connection file ({@code .vv})
 * that opens the caller's session's console in a native VNC viewer through this node's VNC entry
 * ({@link VncEntry}), with a one-time password valid for a few minutes. The host in the file is this
 * node's own address (the one the user logged in to), the port its {@code --console-port}. With
 * {@code Accept: application/json} the same comes as JSON (host, port, password, expiry and the
 * file's text), for pages and scripts. Only the session's own user gets one (as for console
 * tickets, another user's session is answered 404); a cookie-authenticated browser must send the
 * CSRF header. Thread-safe.
 */
final class ConnectionFileRoute implements Consumer<JavalinConfig> {
    static final String PATH = "/api/v1/sessions/{id}/connection-file";
    static final String MEDIA_TYPE = "application/x-virt-viewer";

    private final ApiContext ctx;
    private final Authenticator auth;
    private final ConsolePasswords passwords;
    private final String host;
    private final Supplier<OptionalInt> port;
    private final long ttlMs;
    private final int maxBodyBytes;

    /**
     * @param host the host viewers connect to: this node's advertised address
     * @param port the VNC entry's port, empty while this node has none
     */
    ConnectionFileRoute(ApiContext ctx, Authenticator auth, ConsolePasswords passwords, String host,
                        Supplier<OptionalInt> port, long ttlMs, int maxBodyBytes) {
        this.ctx = ctx;
        this.auth = auth;
        this.passwords = passwords;
        this.host = host;
        this.port = port;
        this.ttlMs = ttlMs;
        this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    public void accept(JavalinConfig config) {
        config.routes.post(PATH, ctx -> {
            try {
                issue(ctx);
            } catch (Throwable e) {
                Responses.fail(ctx, e);
            }
        });
    }

    private void issue(Context c) throws Exception {
        Principal p = auth.require(c);
        JsonBody.none(c, maxBodyBytes);
        SessionImage s = ConsoleTicketRoute.ownSession(ctx, p, c.pathParam("id"));
        int vncPort = port.get().orElseThrow(() -> new ApiException(409, "NO_NATIVE_CONSOLE", "server '" + ctx.self()
                + "' serves consoles in the browser only (it runs with --console-port 0); open the desktop in the"
                + " portal, or ask the operator to give the node a console port"));
        long now = ctx.clock().getAsLong();
        String password = passwords.issue(s.id(), p.user(), now, ttlMs);
        Instant expires = Instant.ofEpochMilli(now + ttlMs);
        String file = file(s.template(), vncPort, password, expires);
        String name = "deskmesh-" + s.template() + ".vv";
        c.header("Cache-Control", "no-store");
        if (wantsJson(c.header("Accept"))) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("sessionId", s.id());
            out.put("server", ctx.self());
            out.put("host", host);
            out.put("port", vncPort);
            out.put("password", password);
            out.put("expiresAt", expires.toString());
            out.put("fileName", name);
            out.put("file", file);
            Responses.write(c, Response.ok(out));
            return;
        }
        c.header("Content-Disposition", "attachment; filename=\"" + name + "\"");
        c.status(200).contentType(MEDIA_TYPE + "; charset=utf-8").result(file.getBytes(StandardCharsets.UTF_8));
    }

    /** JSON only when asked for it by name: a browser's or curl's default gets the file. */
    static boolean wantsJson(String accept) {
        return accept != null && accept.contains("application/json") && !accept.contains(MEDIA_TYPE);
    }

    /** The {@code .vv} file (a key file read by virt-viewer and remote-viewer). */
    String file(String template, int vncPort, String password, Instant expires) {
        return "# DeskMesh: your desktop '" + template + "' through server '" + ctx.self() + "'.\n"
                + "# Open it with remote-viewer (virt-viewer) before " + expires + "; it works once.\n"
                + "# Another VNC viewer: connect to " + host + "::" + vncPort + " with the password below.\n"
                + "[virt-viewer]\n"
                + "type=vnc\n"
                + "host=" + host + "\n"
                + "port=" + vncPort + "\n"
                + "password=" + password + "\n"
                + "title=" + template + " (DeskMesh)\n"
                + "delete-this-file=1\n";
    }
}
