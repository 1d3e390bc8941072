package io.deskmesh.node.api.admin;

import io.deskmesh.model.image.AuditImage;
import io.deskmesh.model.record.AuditEventRecord;
import io.deskmesh.node.api.ApiServices;
import io.deskmesh.node.api.QueryParams;
import io.deskmesh.node.api.Responses;
import io.deskmesh.node.api.Responses.Response;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * {@code GET /api/v1/events}: the audit trail (logins, logouts, admin changes, refusals), oldest
 * first; admins only. With {@code since} it returns the first {@code limit} events after that
 * sequence number (to follow the trail); without, the latest {@code limit}. Filters: exact
 * {@code actor} and {@code action}, or an action prefix ending in {@code *} (e.g. {@code template.*}).
 * The grid keeps the latest {@value AuditImage#KEEP} events. Thread-safe.
 */
public final class EventRoutes implements Consumer<JavalinConfig> {
    static final Set<String> FILTERS = Set.of("actor", "action", "since", "limit");
    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 1000;
    private final ApiServices api;

    public EventRoutes(ApiServices api) {
        this.api = api;
    }

    @Override
    public void accept(JavalinConfig config) {
        config.routes.get("/api/v1/events", Responses.sync(this::list));
    }

    private Response list(Context ctx) {
        api.auth().requireAdmin(ctx);
        QueryParams q = QueryParams.of(ctx, FILTERS);
        String actor = q.string("actor");
        String action = q.string("action");
        long since = q.number("since", -1, 0, Long.MAX_VALUE);
        int limit = (int) q.number("limit", DEFAULT_LIMIT, 1, MAX_LIMIT);
        AuditImage audit = api.image().audit();
        Collection<AuditEventRecord> source = since >= 0 ? audit.since(since) : audit.events();
        ArrayDeque<AuditEventRecord> picked = new ArrayDeque<>();
        for (AuditEventRecord e : source) {
            if (!matches(e, actor, action)) {
                continue;
            }
            picked.addLast(e);
            if (picked.size() > limit) {
                if (since >= 0) {
                    picked.removeLast();
                    break;
                }
                picked.removeFirst();
            }
        }
        List<Object> out = new ArrayList<>(picked.size());
        for (AuditEventRecord e : picked) {
            out.add(view(e));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("events", out);
        body.put("lastSeq", audit.lastSeq());
        return Response.ok(body);
    }

    private static boolean matches(AuditEventRecord e, String actor, String action) {
        if (actor != null && !actor.equals(e.actor())) {
            return false;
        }
        if (action == null) {
            return true;
        }
        return action.endsWith("*") ? e.action().startsWith(action.substring(0, action.length() - 1)) : action.equals(e.action());
    }

    static Map<String, Object> view(AuditEventRecord e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("seq", e.seq());
        m.put("at", ApiServices.time(e.at()));
        m.put("actor", e.actor());
        m.put("action", e.action());
        m.put("target", e.target());
        m.put("from", e.from());
        m.put("ok", e.ok());
        m.put("detail", e.detail());
        return m;
    }
}
