package io.deskmesh.node.api.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.deskmesh.model.command.CreateTemplateCommand;
import io.deskmesh.model.command.DeleteTemplateCommand;
import io.deskmesh.model.command.MeshCommand;
import io.deskmesh.model.command.UpdateTemplateCommand;
import io.deskmesh.model.image.ClusterImage;
import io.deskmesh.model.image.TemplateImage;
import io.deskmesh.model.image.VmImage;
import io.deskmesh.model.plan.PoolSizer;
import io.deskmesh.model.record.DesiredVms;
import io.deskmesh.model.record.PoolKind;
import io.deskmesh.model.record.TemplateSpec;
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
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * {@code /api/v1/templates}: list, create, read, change (only the fields given) and delete
 * templates; admins only. A template shows what the admin set plus, read-only, the base image
 * version new VMs use, the pool size the planner aims at now and the VMs it has. Thread-safe.
 */
public final class TemplateRoutes implements Consumer<JavalinConfig> {
    static final Set<String> WRITABLE = Set.of("name", "cpus", "memoryMb", "baseImage", "imageVersion", "pool",
            "desiredVms", "spareVms", "minReplicas", "idleTimeoutSeconds", "disconnectTimeoutSeconds");
    static final Set<String> READ_ONLY = Set.of("desiredNow", "vms", "sessions", "createdAt", "updatedAt");
    /** Defaults of the optional fields on create. */
    static final int DEFAULT_MIN_REPLICAS = 2;
    static final int DEFAULT_DISCONNECT_TIMEOUT = 3600;

    private final ApiServices api;

    public TemplateRoutes(ApiServices api) {
        this.api = api;
    }

    @Override
    public void accept(JavalinConfig config) {
        config.routes.get("/api/v1/templates", Responses.sync(this::list));
        config.routes.post("/api/v1/templates", Responses.async(this::create));
        config.routes.get("/api/v1/templates/{name}", Responses.sync(this::get));
        config.routes.put("/api/v1/templates/{name}", Responses.async(this::update));
        config.routes.delete("/api/v1/templates/{name}", Responses.async(this::delete));
    }

    private Response list(Context ctx) {
        api.auth().requireAdmin(ctx);
        QueryParams.of(ctx, Set.of());
        ClusterImage image = api.image();
        List<Object> out = new ArrayList<>();
        for (TemplateImage t : image.templates().all()) {
            out.add(view(image, t));
        }
        return Response.ok(Map.of("templates", out));
    }

    private Response get(Context ctx) {
        api.auth().requireAdmin(ctx);
        QueryParams.of(ctx, Set.of());
        ClusterImage image = api.image();
        return Response.ok(view(image, find(image, ctx.pathParam("name"))));
    }

    private CompletableFuture<Response> create(Context ctx) {
        Principal p = api.auth().requireAdmin(ctx);
        JsonBody b = JsonBody.read(ctx, api.maxBody(), WRITABLE, READ_ONLY);
        TemplateSpec spec = new TemplateSpec(b.requiredString("name"), b.requiredInt("cpus"), b.requiredLong("memoryMb"),
                b.requiredString("baseImage"), imageVersion(b), pool(b, PoolKind.NON_PERSISTENT), desired(b, DesiredVms.AUTO),
                or(b.integer("spareVms"), 0), or(b.integer("minReplicas"), DEFAULT_MIN_REPLICAS),
                or(b.integer("idleTimeoutSeconds"), 0), or(b.integer("disconnectTimeoutSeconds"), DEFAULT_DISCONNECT_TIMEOUT));
        return write(p, "template.create", spec, new CreateTemplateCommand(spec), 201);
    }

    private CompletableFuture<Response> update(Context ctx) {
        Principal p = api.auth().requireAdmin(ctx);
        String name = ctx.pathParam("name");
        JsonBody b = JsonBody.read(ctx, api.maxBody(), WRITABLE, READ_ONLY);
        String renamed = b.string("name");
        if (renamed != null && !renamed.equals(name)) {
            throw ApiException.invalid("field 'name' is '" + renamed + "' but the path names '" + name
                    + "'; templates cannot be renamed: create a new one");
        }
        TemplateSpec old = find(api.image(), name).spec();
        String baseImage = b.has("baseImage") ? b.string("baseImage") : old.baseImage();
        TemplateSpec spec = new TemplateSpec(name, or(b.integer("cpus"), old.cpus()), or(b.longValue("memoryMb"), old.memoryMb()),
                baseImage, imageVersion(b), pool(b, old.pool()), desired(b, old.desiredVms()), or(b.integer("spareVms"), old.spareVms()),
                or(b.integer("minReplicas"), old.minReplicas()), or(b.integer("idleTimeoutSeconds"), old.idleTimeoutSeconds()),
                or(b.integer("disconnectTimeoutSeconds"), old.disconnectTimeoutSeconds()));
        return write(p, "template.update", spec, new UpdateTemplateCommand(spec), 200);
    }

    /**
     * The base image version asked for: a rollout to a newer one or a rollback to an older one; 0
     * (the field left out) means the newest on create, and on update the template's current one
     * (or the newest, when the base image changes).
     */
    private static int imageVersion(JsonBody b) {
        Integer v = b.integer("imageVersion");
        if (v != null && v < 1) {
            throw ApiException.invalid("field 'imageVersion' must be a version number of 1 or more (leave it out for"
                    + " the newest); GET /api/v1/images lists the versions");
        }
        return v == null ? 0 : v;
    }

    private CompletableFuture<Response> delete(Context ctx) {
        Principal p = api.auth().requireAdmin(ctx);
        JsonBody.none(ctx, api.maxBody());
        String name = ctx.pathParam("name");
        return api.writes().submit(new AuditedWrites.Change(p, "template.delete", name, ""),
                List.of(new DeleteTemplateCommand(name))).thenApply(r -> Response.NO_CONTENT);
    }

    private CompletableFuture<Response> write(Principal p, String action, TemplateSpec spec, MeshCommand command, int status) {
        return api.writes().submit(new AuditedWrites.Change(p, action, spec.name(), describe(spec)), List.of(command))
                .thenApply(r -> {
                    ClusterImage image = api.image();
                    return new Response(status, view(image, find(image, spec.name())));
                });
    }

    static TemplateImage find(ClusterImage image, String name) {
        return image.templates().get(name).orElseThrow(() -> ApiException.notFound("template '" + name
                + "' does not exist; GET /api/v1/templates lists them"));
    }

    /** A template as the API shows it. */
    static Map<String, Object> view(ClusterImage image, TemplateImage t) {
        TemplateSpec s = t.spec();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", s.name());
        out.put("cpus", s.cpus());
        out.put("memoryMb", s.memoryMb());
        out.put("baseImage", s.baseImage());
        out.put("pool", poolName(s.pool()));
        out.put("desiredVms", s.desiredVms().auto() ? "auto" : s.desiredVms().count());
        out.put("spareVms", s.spareVms());
        out.put("minReplicas", s.minReplicas());
        out.put("idleTimeoutSeconds", s.idleTimeoutSeconds());
        out.put("disconnectTimeoutSeconds", s.disconnectTimeoutSeconds());
        out.put("imageVersion", s.imageVersion());
        out.put("desiredNow", PoolSizer.desired(image, t));
        Map<String, Integer> byState = new TreeMap<>();
        Map<String, Integer> byServer = new TreeMap<>();
        int total = 0;
        int free = 0;
        for (var e : image.vms().placement(t.name()).entrySet()) {
            byServer.put(e.getKey(), e.getValue().size());
            for (String id : e.getValue()) {
                VmImage vm = image.vms().get(id).orElseThrow();
                byState.merge(InventoryRoutes.vmState(vm.state()), 1, Integer::sum);
                total++;
                free += vm.free() ? 1 : 0;
            }
        }
        Map<String, Object> vms = new LinkedHashMap<>();
        vms.put("total", total);
        vms.put("free", free);
        vms.put("byState", byState);
        vms.put("byServer", byServer);
        out.put("vms", vms);
        out.put("sessions", image.sessions().onTemplate(t.name()));
        out.put("createdAt", ApiServices.time(t.createdAt()));
        out.put("updatedAt", ApiServices.time(t.updatedAt()));
        return out;
    }

    static String poolName(PoolKind kind) {
        return kind == PoolKind.PERSISTENT ? "persistent" : "non-persistent";
    }

    private static PoolKind pool(JsonBody b, PoolKind absent) {
        String v = b.string("pool");
        if (v == null) {
            return absent;
        }
        return switch (v) {
            case "persistent" -> PoolKind.PERSISTENT;
            case "non-persistent" -> PoolKind.NON_PERSISTENT;
            default -> throw ApiException.invalid("field 'pool' must be \"persistent\" or \"non-persistent\", was \"" + v + "\"");
        };
    }

    private static DesiredVms desired(JsonBody b, DesiredVms absent) {
        JsonNode v = b.raw("desiredVms");
        if (v == null) {
            return absent;
        }
        if (v.isTextual() && v.textValue().equals("auto")) {
            return DesiredVms.AUTO;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw JsonBody.wrongType("desiredVms", "a whole number or \"auto\"", v);
        }
        if (v.intValue() < 0) {
            throw ApiException.invalid("field 'desiredVms' must be 0 or more, or \"auto\", was " + v.intValue());
        }
        return DesiredVms.of(v.intValue());
    }

    private static String describe(TemplateSpec s) {
        return "cpus=" + s.cpus() + " memoryMb=" + s.memoryMb() + " baseImage=" + s.baseImage() + " pool=" + poolName(s.pool())
                + " desiredVms=" + s.desiredVms() + " spareVms=" + s.spareVms() + " minReplicas=" + s.minReplicas()
                + " idleTimeoutSeconds=" + s.idleTimeoutSeconds() + " disconnectTimeoutSeconds=" + s.disconnectTimeoutSeconds();
    }

    private static <T> T or(T value, T absent) {
        return value == null ? absent : value;
    }
}
