package io.deskmesh.node.http;

import io.deskmesh.model.image.ClusterImage;
import io.deskmesh.model.image.ImageVersionImage;
import io.deskmesh.model.image.ReplicaImage;
import io.deskmesh.model.image.ServerImage;
import io.deskmesh.model.image.ServerUsage;
import io.deskmesh.model.image.TemplateImage;
import io.deskmesh.model.image.VmImage;
import io.deskmesh.model.plan.CapacityModel;
import io.deskmesh.model.plan.PoolSizer;
import io.deskmesh.model.record.VmState;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The grid at a glance, as {@code GET /api/v1/cluster} returns it: servers with state, capacity
 * and load; base images with their replicas; VM counts per template and server. Built from one
 * image, so every node answers the same for the same index. Immutable.
 */
public record ClusterView(String grid, long index, long at, String self, String leader, List<Server> servers,
                          List<Image> images, List<Template> templates, Totals totals) {

    /** One server. {@code utilisation} is 0..1 of the larger of reserved memory and vCPUs. */
    public record Server(String name, String site, String address, String state, boolean suspect, int cpus,
                         long memoryMb, long diskMb, int vms, int runningVms, long reservedCpus, long reservedMemoryMb,
                         double utilisation, int sessions, List<String> images) {
    }

    /** One base image version and where it is. */
    public record Image(String image, int version, long sizeBytes, String sha256, List<Replica> replicas) {
    }

    /** One copy of a base image version. */
    public record Replica(String server, String state, String source) {
    }

    /** One template's pool: desired and actual VMs, by state and by server. */
    public record Template(String name, String baseImage, int imageVersion, String pool, String desired,
                           int desiredNow, int vms, Map<String, Integer> byState, Map<String, Integer> byServer,
                           int sessions) {
    }

    public record Totals(int servers, int liveServers, int vms, int sessions, int templates, int users) {
    }

    public static ClusterView of(ClusterImage image, String self, String leader) {
        List<Server> servers = new ArrayList<>();
        for (ServerImage s : image.servers().all()) {
            ServerUsage u = image.vms().usage(s.name());
            servers.add(new Server(s.name(), s.site(), s.address(), s.state().name().toLowerCase(), s.suspect(),
                    s.capacity().cpus(), s.capacity().memoryMb(), s.capacity().diskMb(), u.vms(), u.running(), u.cpus(),
                    u.memoryMb(), round(CapacityModel.utilisation(s.capacity(), u)), image.sessions().onServer(s.name()),
                    image.images().onServer(s.name()).keySet().stream().map(Object::toString).toList()));
        }
        List<Image> images = new ArrayList<>();
        for (ImageVersionImage v : image.images().versions()) {
            List<Replica> replicas = new ArrayList<>();
            for (ReplicaImage r : image.images().replicas(v.ref()).values()) {
                replicas.add(new Replica(r.server(), r.landed() ? "landed" : "transferring", r.source()));
            }
            images.add(new Image(v.ref().image(), v.ref().version(), v.sizeBytes(), v.sha256(), replicas));
        }
        List<Template> templates = new ArrayList<>();
        for (TemplateImage t : image.templates().all()) {
            Map<String, Integer> byState = new TreeMap<>();
            Map<String, Integer> byServer = new TreeMap<>();
            int vms = 0;
            for (var e : image.vms().placement(t.name()).entrySet()) {
                byServer.put(e.getKey(), e.getValue().size());
                for (String id : e.getValue()) {
                    VmImage vm = image.vms().get(id).orElseThrow();
                    byState.merge(vm.state().name().toLowerCase(), 1, Integer::sum);
                    vms++;
                }
            }
            templates.add(new Template(t.name(), t.spec().baseImage(), t.spec().imageVersion(),
                    t.spec().pool().name().toLowerCase().replace('_', '-'), t.spec().desiredVms().toString(),
                    PoolSizer.desired(image, t), vms, byState, byServer, image.sessions().onTemplate(t.name())));
        }
        int live = (int) image.servers().all().stream().filter(ServerImage::live).count();
        Totals totals = new Totals(image.servers().size(), live, image.vms().size(), image.sessions().size(),
                image.templates().size(), image.accounts().users().size());
        return new ClusterView(image.grid().gridId(), image.index(), image.at(), self, leader, servers, images, templates,
                totals);
    }

    /** VMs per state over the whole grid, for metrics. */
    public static Map<VmState, Integer> vmsByState(ClusterImage image) {
        Map<VmState, Integer> out = new TreeMap<>();
        for (VmState s : VmState.values()) {
            out.put(s, 0);
        }
        for (VmImage vm : image.vms().all()) {
            out.merge(vm.state(), 1, Integer::sum);
        }
        return out;
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
