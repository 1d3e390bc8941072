package io.deskmesh.node.api.admin;

import io.deskmesh.model.command.CreateGrantCommand;
import io.deskmesh.model.command.Reply;
import io.deskmesh.model.command.RevokeGrantCommand;
import io.deskmesh.model.image.ClusterImage;
import io.deskmesh.model.image.GrantImage;
import io.deskmesh.node.api.ApiException;
import io.deskmesh.node.api.ApiServices;
import io.deskmesh.node.api.AuditedWrites;
import io.deskmesh.node.api.JsonBody;
import io.deskmesh.node.api.Principal;
import io.deskmesh.node.api.QueryParams;
import io.deskmesh.node.api.Responses;
import io.deskmesh.node.api.Responses.Response;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * {@code /api/v1/grants}: list (optionally for one template, user or group), create and revoke the
 * grants that let a user, or a group's members, use a template; admins only. Thread-safe.
 */
public final class GrantRoutes implements Consumer<JavalinConfig> {
    static final Set<String> CREATE = Set.of("template", "user", "group");
    static final Set<String> FILTERS = Set.of("template", "user", "group");

    private final ApiServices api;

    public GrantRoutes(ApiServices api) {
        this.api = api;
    }

    @Override
    public void accept(JavalinConfig config) {
        config.routes.get("/api/v1/grants", Responses.sync(this::list));
        config.routes.post("/api/v1/grants", Responses.async(this::create));
        config.routes.delete("/api/v1/grants/{id}", Responses.async(this::delete));
    }

    private Response list(Context ctx) {
        api.auth().requireAdmin(ctx);
        QueryParams q = QueryParams.of(ctx, FILTERS);
        String template = q.string("template");
        String user = q.string("user");
        String group = q.string("group");
        ClusterImage image = api.image();
        List<Object> out = new ArrayList<>();
        for (GrantImage g : image.accounts().grants()) {
            if ((template == null || template.equals(g.template())) && (user == null || user.equals(g.user()))
                    && (group == null || group.equals(g.group()))) {
                out.add(view(g));
            }
        }
        return Response.ok(Map.of("grants", out));
    }

    private CompletableFuture<Response> create(Context ctx) {
        Principal p = api.auth().requireAdmin(ctx);
        JsonBody b = JsonBody.read(ctx, api.maxBody(), CREATE, Set.of("id", "createdAt"));
        String template = b.requiredString("template");
        String user = b.string("user");
        String group = b.string("group");
        if ((user == null) == (group == null)) {
            throw ApiException.invalid("a grant names exactly one of 'user' or 'group', " + (user == null
                    ? "got neither" : "got both"));
        }
        String to = user != null ? "user " + user : "group " + group;
        return api.writes().submit(new AuditedWrites.Change(p, "grant.create", template, to),
                List.of(new CreateGrantCommand(template, user, group))).thenApply(replies -> {
                    String id = ((Reply.Created) replies.get(0)).id();
                    GrantImage g = api.image().accounts().grant(id).orElseThrow();
                    return Response.created(view(g));
                });
    }

    private CompletableFuture<Response> delete(Context ctx) {
        Principal p = api.auth().requireAdmin(ctx);
        JsonBody.none(ctx, api.maxBody());
        String id = ctx.pathParam("id");
        GrantImage g = api.image().accounts().grant(id).orElse(null);
        String detail = g == null ? "" : "template " + g.template() + " to " + (g.user() != null ? "user " + g.user()
                : "group " + g.group());
        return api.writes().submit(new AuditedWrites.Change(p, "grant.delete", id, detail), List.of(new RevokeGrantCommand(id)))
                .thenApply(r -> Response.NO_CONTENT);
    }

    static Map<String, Object> view(GrantImage g) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", g.id());
        out.put("template", g.template());
        if (g.user() != null) {
            out.put("user", g.user());
        } else {
            out.put("group", g.group());
        }
        out.put("createdAt", ApiServices.time(g.createdAt()));
        return out;
    }
}
