package io.deskmesh.node.api.admin;

import io.deskmesh.model.command.CreateUserCommand;
import io.deskmesh.model.command.DeleteUserCommand;
import io.deskmesh.model.command.MeshCommand;
import io.deskmesh.model.command.SetUserGroupsCommand;
import io.deskmesh.model.command.UpdateUserCommand;
import io.deskmesh.model.image.ClusterImage;
import io.deskmesh.model.image.UserImage;
import io.deskmesh.model.record.Role;
import io.deskmesh.node.api.ApiException;
import io.deskmesh.node.api.ApiServices;
import io.deskmesh.node.api.AuditedWrites;
import io.deskmesh.node.api.JsonBody;
import io.deskmesh.node.api.Principal;
import io.deskmesh.node.api.QueryParams;
import io.deskmesh.node.api.Responses;
import io.deskmesh.node.api.Responses.Response;
import io.deskmesh.node.api.auth.ApiTokens;
import io.deskmesh.node.api.auth.SessionIssuer;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * {@code /api/v1/users}: list, create, read, change and delete local accounts; admins only. Passwords
 * are hashed (Argon2id) on the bounded password pool and never shown; a user's groups are set in the
 * same log entry as the account, computed against the groups when applied. Changing a password ends
 * the user's tokens (and deleting the account all of them): a caller who changes their own password
 * gets a new token in the answer ({@code session}), and a new session cookie when they came with one,
 * so only their other sessions end. Thread-safe.
 */
public final class UserRoutes implements Consumer<JavalinConfig> {
    static final Set<String> CREATE = Set.of("name", "password", "role", "groups", "site");
    static final Set<String> UPDATE = Set.of("name", "password", "role", "groups", "site");
    static final Set<String> READ_ONLY = Set.of("createdAt");
    static final int MIN_PASSWORD = 8;
    static final int MAX_PASSWORD = 1024;

    private final ApiServices api;
    private final SessionIssuer sessions;

    public UserRoutes(ApiServices api, SessionIssuer sessions) {
        this.api = api;
        this.sessions = sessions;
    }

    @Override
    public void accept(JavalinConfig config) {
        config.routes.get("/api/v1/users", Responses.sync(this::list));
        config.routes.post("/api/v1/users", Responses.async(this::create));
        config.routes.get("/api/v1/users/{name}", Responses.sync(this::get));
        config.routes.put("/api/v1/users/{name}", Responses.async(this::update));
        config.routes.delete("/api/v1/users/{name}", Responses.async(this::delete));
    }

    private Response list(Context ctx) {
        api.auth().requireAdmin(ctx);
        QueryParams.of(ctx, Set.of());
        ClusterImage image = api.image();
        List<Object> out = new ArrayList<>();
        for (UserImage u : image.accounts().users()) {
            out.add(view(image, u));
        }
        return Response.ok(Map.of("users", out));
    }

    private Response get(Context ctx) {
        api.auth().requireAdmin(ctx);
        QueryParams.of(ctx, Set.of());
        ClusterImage image = api.image();
        return Response.ok(view(image, find(image, ctx.pathParam("name"))));
    }

    private CompletableFuture<Response> create(Context ctx) {
        Principal p = api.auth().requireAdmin(ctx);
        JsonBody b = JsonBody.read(ctx, api.maxBody(), CREATE, READ_ONLY);
        String name = b.requiredString("name");
        String password = password(b.requiredString("password"));
        Role role = role(b.string("role"), Role.USER);
        List<String> groups = b.strings("groups");
        String site = b.string("site");
        return api.hashing().hash(password).thenCompose(hash -> {
            List<MeshCommand> commands = new ArrayList<>();
            commands.add(new CreateUserCommand(name, hash, role, site));
            if (groups != null && !groups.isEmpty()) {
                commands.add(new SetUserGroupsCommand(name, groups));
            }
            return api.writes().submit(new AuditedWrites.Change(p, "user.create", name,
                    "role=" + roleName(role) + (groups == null ? "" : " groups=" + groups)), commands);
        }).thenApply(r -> created(name));
    }

    private Response created(String name) {
        ClusterImage image = api.image();
        return Response.created(view(image, find(image, name)));
    }

    private CompletableFuture<Response> update(Context ctx) {
        Principal p = api.auth().requireAdmin(ctx);
        String name = ctx.pathParam("name");
        JsonBody b = JsonBody.read(ctx, api.maxBody(), UPDATE, READ_ONLY);
        String renamed = b.string("name");
        if (renamed != null && !renamed.equals(name)) {
            throw ApiException.invalid("field 'name' is '" + renamed + "' but the path names '" + name
                    + "'; users cannot be renamed: create a new one");
        }
        String password = b.has("password") ? password(b.string("password")) : null;
        Role role = role(b.string("role"), null);
        List<String> groups = b.strings("groups");
        String site = b.string("site");
        if (password == null && role == null && groups == null && site == null) {
            throw ApiException.invalid("nothing to change: give at least one of password, role, groups, site");
        }
        String stampBefore = ApiTokens.stamp(find(api.image(), name));
        boolean self = p.user().equals(name);
        boolean https = sessions.https(ctx);
        CompletableFuture<String> hash = password == null ? CompletableFuture.completedFuture(null)
                : api.hashing().hash(password);
        StringBuilder detail = new StringBuilder();
        detail.append(role == null ? "" : "role=" + roleName(role) + " ").append(groups == null ? "" : "groups=" + groups + " ")
                .append(site == null ? "" : "site=" + site + " ").append(password == null ? "" : "password changed");
        return hash.thenCompose(h -> {
            List<MeshCommand> commands = new ArrayList<>();
            if (h != null || role != null || site != null) {
                commands.add(new UpdateUserCommand(name, h, role, site));
            }
            if (groups != null) {
                commands.add(new SetUserGroupsCommand(name, groups));
            }
            return api.writes().submit(new AuditedWrites.Change(p, "user.update", name, detail.toString().trim()), commands);
        }).thenApply(r -> {
            ClusterImage image = api.image();
            UserImage after = find(image, name);
            Map<String, Object> out = view(image, after);
            if (self && !ApiTokens.stamp(after).equals(stampBefore)) {
                // the caller's own token just stopped working: this session goes on with a new one
                out.put("session", sessions.hand(ctx, sessions.claims(after), after, https, SessionIssuer.viaCookie(ctx)));
            }
            return Response.ok(out);
        });
    }

    private CompletableFuture<Response> delete(Context ctx) {
        Principal p = api.auth().requireAdmin(ctx);
        JsonBody.none(ctx, api.maxBody());
        String name = ctx.pathParam("name");
        return api.writes().submit(new AuditedWrites.Change(p, "user.delete", name, ""), List.of(new DeleteUserCommand(name)))
                .thenApply(r -> Response.NO_CONTENT);
    }

    static UserImage find(ClusterImage image, String name) {
        return image.accounts().user(name).orElseThrow(() -> ApiException.notFound("user '" + name
                + "' does not exist; GET /api/v1/users lists them"));
    }

    /** A user as the API shows it; never the password hash. */
    static Map<String, Object> view(ClusterImage image, UserImage u) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", u.name());
        out.put("role", roleName(u.role()));
        out.put("groups", List.copyOf(image.accounts().groupsOf(u.name())));
        out.put("site", u.site());
        out.put("createdAt", ApiServices.time(u.createdAt()));
        return out;
    }

    static String roleName(Role role) {
        return role.name().toLowerCase(Locale.ROOT);
    }

    private static Role role(String value, Role absent) {
        if (value == null) {
            return absent;
        }
        return switch (value) {
            case "admin" -> Role.ADMIN;
            case "user" -> Role.USER;
            default -> throw ApiException.invalid("field 'role' must be \"admin\" or \"user\", was \"" + value + "\"");
        };
    }

    private static String password(String password) {
        if (password == null || password.length() < MIN_PASSWORD || password.length() > MAX_PASSWORD) {
            throw ApiException.invalid("field 'password' must have " + MIN_PASSWORD + " to " + MAX_PASSWORD + " characters, had "
                    + (password == null ? 0 : password.length()));
        }
        return password;
    }
}
