package io.deskmesh.node.api.admin;

import io.deskmesh.model.command.DrainServerCommand;
import io.deskmesh.model.command.MeshCommand;
import io.deskmesh.model.command.RemoveServerCommand;
import io.deskmesh.model.command.ResumeServerCommand;
import io.deskmesh.model.image.ClusterImage;
import io.deskmesh.model.image.ServerImage;
import io.deskmesh.model.image.ServerUsage;
import io.deskmesh.model.plan.CapacityModel;
import io.deskmesh.node.api.ApiContext;
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

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

/**
 * {@code /api/v1/servers}: the grid's servers with state, Raft role, capacity and load; drain (take
 * nothing new), resume, and remove (end its sessions, forget its VMs and copies, then take it out of
 * the Raft group); admins only. Removing retries cleanly: a server already gone from the grid whose
 * Raft peer remains has just the peer removed. Thread-safe.
 */
public final class ServerRoutes implements Consumer<JavalinConfig> {
    /** Raft membership changes block; they run here, off the HTTP and submitter threads. */
    private static final ExecutorService MEMBERSHIP = Executors.newVirtualThreadPerTaskExecutor();
    private final ApiServices api;

    public ServerRoutes(ApiServices api) {
        this.api = api;
    }

    @Override
    public void accept(JavalinConfig config) {
        config.routes.get("/api/v1/servers", Responses.sync(this::list));
        config.routes.post("/api/v1/servers/{name}/drain", Responses.async(ctx -> change(ctx, "server.drain")));
        config.routes.post("/api/v1/servers/{name}/resume", Responses.async(ctx -> change(ctx, "server.resume")));
        config.routes.delete("/api/v1/servers/{name}", Responses.async(this::remove));
    }

    private Response list(Context ctx) {
        api.auth().requireAdmin(ctx);
        QueryParams.of(ctx, Set.of());
        ClusterImage image = api.image();
        List<Object> out = new ArrayList<>();
        for (ServerImage s : image.servers().all()) {
            out.add(view(image, s, api.context().raft()));
        }
        return Response.ok(Map.of("servers", out));
    }

    private CompletableFuture<Response> change(Context ctx, String action) {
        Principal p = api.auth().requireAdmin(ctx);
        JsonBody.none(ctx, api.maxBody());
        String name = ctx.pathParam("name");
        MeshCommand command = action.equals("server.drain") ? new DrainServerCommand(name) : new ResumeServerCommand(name);
        return api.writes().submit(new AuditedWrites.Change(p, action, name, ""), List.of(command)).thenApply(r -> {
            ClusterImage image = api.image();
            ServerImage s = image.servers().get(name).orElseThrow(() -> ApiException.notFound("server '" + name
                    + "' left the grid meanwhile"));
            return Response.ok(view(image, s, api.context().raft()));
        });
    }

    private CompletableFuture<Response> remove(Context ctx) {
        Principal p = api.auth().requireAdmin(ctx);
        JsonBody.none(ctx, api.maxBody());
        String name = ctx.pathParam("name");
        ApiContext.RaftPeers raft = api.context().raft();
        boolean member = api.image().servers().contains(name);
        String role = raft.role(name);
        boolean peer = !"none".equals(role) && !"unknown".equals(role);
        if (!member && !peer) {
            throw ApiException.notFound("server '" + name + "' is not a member of the grid; GET /api/v1/servers lists them");
        }
        CompletableFuture<?> removed = member
                ? api.writes().submit(new AuditedWrites.Change(p, "server.remove", name, ""), List.of(new RemoveServerCommand(name)))
                : api.writes().record(p.user(), "server.remove", name, p.from(), true, "only its Raft peer was left");
        return removed.thenApplyAsync(r -> {
            try {
                raft.remove(name);
            } catch (IOException | RuntimeException e) {
                throw new CompletionException(new ApiException(503, "RAFT_PEER_NOT_REMOVED", "server '" + name
                        + "' left the grid, but removing its Raft peer failed (" + e.getMessage() + "); repeat the DELETE"
                        + " to retry", 2));
            }
            return Response.NO_CONTENT;
        }, MEMBERSHIP);
    }

    /** A server as the API shows it. */
    static Map<String, Object> view(ClusterImage image, ServerImage s, ApiContext.RaftPeers raft) {
        ServerUsage u = image.vms().usage(s.name());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", s.name());
        out.put("site", s.site());
        out.put("address", s.address());
        out.put("state", s.state().name().toLowerCase(Locale.ROOT));
        out.put("suspect", s.suspect());
        out.put("raft", raft.role(s.name()));
        Map<String, Object> capacity = new LinkedHashMap<>();
        capacity.put("cpus", s.capacity().cpus());
        capacity.put("memoryMb", s.capacity().memoryMb());
        capacity.put("diskMb", s.capacity().diskMb());
        out.put("capacity", capacity);
        Map<String, Object> usage = new LinkedHashMap<>();
        usage.put("vms", u.vms());
        usage.put("runningVms", u.running());
        usage.put("reservedCpus", u.cpus());
        usage.put("reservedMemoryMb", u.memoryMb());
        usage.put("utilisation", Math.round(CapacityModel.utilisation(s.capacity(), u) * 1000) / 1000.0);
        out.put("usage", usage);
        out.put("sessions", image.sessions().onServer(s.name()));
        out.put("images", image.images().onServer(s.name()).keySet().stream().map(Object::toString).toList());
        out.put("joinedAt", ApiServices.time(s.joinedAt()));
        out.put("since", ApiServices.time(s.since()));
        return out;
    }
}
