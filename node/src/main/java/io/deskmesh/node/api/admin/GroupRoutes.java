package io.deskmesh.node.api.admin;

import io.deskmesh.model.command.CreateGroupCommand;
import io.deskmesh.model.command.DeleteGroupCommand;
import io.deskmesh.model.command.SetGroupMembersCommand;
import io.deskmesh.model.image.ClusterImage;
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

/** {@code /api/v1/groups}: list, create, read, set the members of, and delete groups; admins only. Thread-safe. */
public final class GroupRoutes implements Consumer<JavalinConfig> {
    static final Set<String> CREATE = Set.of("name", "members");
    static final Set<String> UPDATE = Set.of("name", "members");

    private final ApiServices api;

    public GroupRoutes(ApiServices api) {
        this.api = api;
    }

    @Override
    public void accept(JavalinConfig config) {
        config.routes.get("/api/v1/groups", Responses.sync(this::list));
        config.routes.post("/api/v1/groups", Responses.async(this::create));
        config.routes.get("/api/v1/groups/{name}", Responses.sync(this::get));
        config.routes.put("/api/v1/groups/{name}", Responses.async(this::update));
        config.routes.delete("/api/v1/groups/{name}", Responses.async(this::delete));
    }

    private Response list(Context ctx) {
        api.auth().requireAdmin(ctx);
        QueryParams.of(ctx, Set.of());
        ClusterImage image = api.image();
        List<Object> out = new ArrayList<>();
        for (String g : image.accounts().groups()) {
            out.add(view(image, g));
        }
        return Response.ok(Map.of("groups", out));
    }

    private Response get(Context ctx) {
        api.auth().requireAdmin(ctx);
        QueryParams.of(ctx, Set.of());
        ClusterImage image = api.image();
        return Response.ok(view(image, find(image, ctx.pathParam("name"))));
    }

    private CompletableFuture<Response> create(Context ctx) {
        Principal p = api.auth().requireAdmin(ctx);
        JsonBody b = JsonBody.read(ctx, api.maxBody(), CREATE, Set.of());
        String name = b.requiredString("name");
        List<String> members = b.strings("members");
        return api.writes().submit(new AuditedWrites.Change(p, "group.create", name, "members=" + (members == null ? "[]" : members)),
                List.of(new CreateGroupCommand(name, members))).thenApply(r -> Response.created(view(api.image(), name)));
    }

    private CompletableFuture<Response> update(Context ctx) {
        Principal p = api.auth().requireAdmin(ctx);
        String name = ctx.pathParam("name");
        JsonBody b = JsonBody.read(ctx, api.maxBody(), UPDATE, Set.of());
        String renamed = b.string("name");
        if (renamed != null && !renamed.equals(name)) {
            throw ApiException.invalid("field 'name' is '" + renamed + "' but the path names '" + name
                    + "'; groups cannot be renamed: create a new one");
        }
        List<String> members = b.strings("members");
        if (members == null) {
            throw JsonBody.missing("members", "an array of user names (the group's members after the change)");
        }
        return api.writes().submit(new AuditedWrites.Change(p, "group.update", name, "members=" + members),
                List.of(new SetGroupMembersCommand(name, members))).thenApply(r -> Response.ok(view(api.image(), name)));
    }

    private CompletableFuture<Response> delete(Context ctx) {
        Principal p = api.auth().requireAdmin(ctx);
        JsonBody.none(ctx, api.maxBody());
        String name = ctx.pathParam("name");
        return api.writes().submit(new AuditedWrites.Change(p, "group.delete", name, ""), List.of(new DeleteGroupCommand(name)))
                .thenApply(r -> Response.NO_CONTENT);
    }

    static String find(ClusterImage image, String name) {
        if (!image.accounts().groupExists(name)) {
            throw ApiException.notFound("group '" + name + "' does not exist; GET /api/v1/groups lists them");
        }
        return name;
    }

    static Map<String, Object> view(ClusterImage image, String group) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", group);
        out.put("members", List.copyOf(image.accounts().members(group)));
        return out;
    }
}
