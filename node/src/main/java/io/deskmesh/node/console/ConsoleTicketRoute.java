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

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * {@code POST /api/v1/sessions/{id}/console-ticket}: a single-use ticket, valid for a few seconds,
 * to open the caller's session's console on this node ({@code /console/{id}?ticket=...}). Only the
 * session's own user gets one; anyone else's session is answered 404 like one that does not exist.
 * A cookie-authenticated browser must send the CSRF header, as for every POST. Thread-safe.
 */
final class ConsoleTicketRoute implements Consumer<JavalinConfig> {
    static final String PATH = "/api/v1/sessions/{id}/console-ticket";

    private final ApiContext ctx;
    private final Authenticator auth;
    private final ConsoleTickets tickets;
    private final long ttlMs;
    private final int maxBodyBytes;

    ConsoleTicketRoute(ApiContext ctx, Authenticator auth, ConsoleTickets tickets, long ttlMs, int maxBodyBytes) {
        this.ctx = ctx;
        this.auth = auth;
        this.tickets = tickets;
        this.ttlMs = ttlMs;
        this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    public void accept(JavalinConfig config) {
        config.routes.post(PATH, Responses.sync(this::issue));
    }

    /** The caller's live session {@code id}; anyone else's is answered 404 like one that does not exist. */
    static SessionImage ownSession(ApiContext ctx, Principal p, String id) {
        return ctx.image().get().sessions().get(id).filter(x -> x.user().equals(p.user()))
                .orElseThrow(() -> ApiException.notFound("session '" + id + "' does not exist, has ended or is not yours;"
                        + " GET /api/v1/sessions lists yours"));
    }

    private Response issue(Context c) {
        Principal p = auth.require(c);
        JsonBody.none(c, maxBodyBytes);
        SessionImage s = ownSession(ctx, p, c.pathParam("id"));
        long now = ctx.clock().getAsLong();
        String ticket = tickets.issue(s.id(), p.user(), now, ttlMs);
        c.header("Cache-Control", "no-store");
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("ticket", ticket);
        out.put("url", "/console/" + URLEncoder.encode(s.id(), StandardCharsets.UTF_8) + "?ticket=" + ticket);
        out.put("sessionId", s.id());
        out.put("server", ctx.self());
        out.put("expiresAt", Instant.ofEpochMilli(now + ttlMs).toString());
        return Response.ok(out);
    }
}
