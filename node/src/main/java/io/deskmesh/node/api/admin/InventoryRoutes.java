package io.deskmesh.node.api.admin;

import io.deskmesh.model.image.ClusterImage;
import io.deskmesh.model.image.ImageVersionImage;
import io.deskmesh.model.image.ReplicaImage;
import io.deskmesh.model.image.TemplateImage;
import io.deskmesh.model.image.VmImage;
import io.deskmesh.model.record.VmState;
import io.deskmesh.node.api.ApiException;
import io.deskmesh.node.api.ApiServices;
import io.deskmesh.node.api.QueryParams;
import io.deskmesh.node.api.Responses;
import io.deskmesh.node.api.Responses.Response;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * {@code GET /api/v1/images} (base image versions with their replicas and the templates using them)
 * and {@code GET /api/v1/vms} (every VM, filtered by template, server and state); admins only.
 * Thread-safe.
 */
public final class InventoryRoutes implements Consumer<JavalinConfig> {
    static final Set<String> VM_FILTERS = Set.of("template", "server", "state");
    private final ApiServices api;

    public InventoryRoutes(ApiServices api) {
        this.api = api;
    }

    @Override
    public void accept(JavalinConfig config) {
        config.routes.get("/api/v1/images", Responses.sync(this::images));
        config.routes.get("/api/v1/vms", Responses.sync(this::vms));
    }

    private Response images(Context ctx) {
        api.auth().requireAdmin(ctx);
        QueryParams.of(ctx, Set.of());
        ClusterImage image = api.image();
        List<Object> out = new ArrayList<>();
        for (ImageVersionImage v : image.images().versions()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("image", v.ref().image());
            m.put("version", v.ref().version());
            m.put("sizeBytes", v.sizeBytes());
            m.put("sha256", v.sha256());
            m.put("parentVersion", v.parentVersion());
            m.put("registeredAt", ApiServices.time(v.registeredAt()));
            List<Object> replicas = new ArrayList<>();
            for (ReplicaImage r : image.images().replicas(v.ref()).values()) {
                Map<String, Object> rm = new LinkedHashMap<>();
                rm.put("server", r.server());
                rm.put("state", r.landed() ? "landed" : "transferring");
                rm.put("source", r.source().isEmpty() ? null : r.source());
                rm.put("since", ApiServices.time(r.since()));
                replicas.add(rm);
            }
            m.put("replicas", replicas);
            m.put("templates", image.templates().all().stream().filter(t -> t.imageRef().equals(v.ref()))
                    .map(TemplateImage::name).toList());
            out.add(m);
        }
        return Response.ok(Map.of("images", out));
    }

    private Response vms(Context ctx) {
        api.auth().requireAdmin(ctx);
        QueryParams q = QueryParams.of(ctx, VM_FILTERS);
        ClusterImage image = api.image();
        String template = q.string("template");
        String server = q.string("server");
        VmState state = state(q.string("state"));
        if (template != null && !image.templates().contains(template)) {
            throw ApiException.notFound("template '" + template + "' does not exist; GET /api/v1/templates lists them");
        }
        if (server != null && !image.servers().contains(server)) {
            throw ApiException.notFound("server '" + server + "' is not a member of the grid; GET /api/v1/servers lists them");
        }
        List<Object> out = new ArrayList<>();
        for (VmImage vm : image.vms().all()) {
            if ((template == null || template.equals(vm.template())) && (server == null || server.equals(vm.server()))
                    && (state == null || state == vm.state())) {
                out.add(view(vm));
            }
        }
        return Response.ok(Map.of("vms", out));
    }

    static Map<String, Object> view(VmImage vm) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", vm.vmId());
        m.put("template", vm.template());
        m.put("server", vm.server());
        m.put("state", vmState(vm.state()));
        m.put("imageVersion", vm.imageVersion());
        m.put("cpus", vm.cpus());
        m.put("memoryMb", vm.memoryMb());
        m.put("owner", vm.owner());
        m.put("mac", vm.mac().isEmpty() ? null : vm.mac());
        m.put("session", vm.sessionId());
        m.put("reason", vm.reason().isEmpty() ? null : vm.reason());
        m.put("allocatedAt", ApiServices.time(vm.allocatedAt()));
        m.put("since", ApiServices.time(vm.since()));
        return m;
    }

    static String vmState(VmState s) {
        return s.name().toLowerCase(Locale.ROOT);
    }

    private static VmState state(String value) {
        if (value == null) {
            return null;
        }
        for (VmState s : VmState.values()) {
            if (vmState(s).equals(value)) {
                return s;
            }
        }
        throw ApiException.invalid("query parameter 'state' must be one of " + String.join(", ",
                Arrays.stream(VmState.values()).map(InventoryRoutes::vmState).toList()) + ", was '" + value + "'");
    }
}
