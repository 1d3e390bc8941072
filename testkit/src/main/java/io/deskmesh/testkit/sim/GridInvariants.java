package io.deskmesh.testkit.sim;

import io.deskmesh.model.image.ClusterImage;
import io.deskmesh.model.image.ImageRef;
import io.deskmesh.model.image.ReplicaImage;
import io.deskmesh.model.image.ServerImage;
import io.deskmesh.model.image.ServerUsage;
import io.deskmesh.model.image.SessionImage;
import io.deskmesh.model.image.TemplateImage;
import io.deskmesh.model.image.VmImage;
import io.deskmesh.model.plan.CapacityModel;
import io.deskmesh.model.plan.Plan;
import io.deskmesh.model.plan.PlanAction;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The safety properties every image and every plan must keep, checked from the outside. Each
 * method returns the violations it found, described so a failing test explains itself. Stateless.
 */
public final class GridInvariants {
    private GridInvariants() {
    }

    /** One VM per session, one session per VM, one session per user and template, indexes in step. */
    public static List<String> sessions(ClusterImage image) {
        List<String> out = new ArrayList<>();
        Map<String, String> vmToSession = new HashMap<>();
        Set<String> userTemplate = new HashSet<>();
        for (SessionImage s : image.sessions().all()) {
            String prev = vmToSession.put(s.vmId(), s.id());
            if (prev != null) {
                out.add("VM " + s.vmId() + " is held by sessions " + prev + " and " + s.id());
            }
            if (!userTemplate.add(s.user() + "/" + s.template())) {
                out.add("user " + s.user() + " holds two sessions of template " + s.template());
            }
            VmImage vm = image.vms().get(s.vmId()).orElse(null);
            if (vm == null) {
                out.add("session " + s.id() + " holds VM " + s.vmId() + " which does not exist");
            } else if (!s.id().equals(vm.sessionId())) {
                out.add("session " + s.id() + " holds VM " + s.vmId() + " but the VM names session " + vm.sessionId());
            } else if (vm.owner() != null && !vm.owner().equals(s.user())) {
                out.add("session " + s.id() + " of " + s.user() + " holds VM " + vm.vmId() + " owned by " + vm.owner());
            }
        }
        for (VmImage vm : image.vms().all()) {
            if (vm.sessionId() != null && !vm.sessionId().equals(vmToSession.get(vm.vmId()))) {
                out.add("VM " + vm.vmId() + " names session " + vm.sessionId() + " which does not hold it");
            }
        }
        return out;
    }

    /** No server reserves more vCPUs or memory than it offers. */
    public static List<String> capacity(ClusterImage image) {
        List<String> out = new ArrayList<>();
        for (ServerImage s : image.servers().all()) {
            ServerUsage u = image.vms().usage(s.name());
            if (u.memoryMb() > s.capacity().memoryMb() || u.cpus() > CapacityModel.vcpus(s.capacity())) {
                out.add("server " + s.name() + " over capacity: " + u + " of " + s.capacity());
            }
        }
        return out;
    }

    /** Every template's image on at least min(minReplicas, servers that could hold it) live servers. */
    public static List<String> replicas(ClusterImage image) {
        List<String> out = new ArrayList<>();
        long schedulable = image.servers().all().stream().filter(ServerImage::schedulable).count();
        for (TemplateImage t : image.templates().all()) {
            ImageRef ref = t.imageRef();
            if (image.images().version(ref).isEmpty()) {
                continue;
            }
            long landed = 0;
            long anyLive = 0;
            for (ReplicaImage r : image.images().replicas(ref).values()) {
                ServerImage s = image.servers().get(r.server()).orElseThrow();
                if (s.live() && !s.draining()) {
                    anyLive++;
                    if (r.landed()) {
                        landed++;
                    }
                }
            }
            if (anyLive == 0) {
                continue; // no live source: nothing can be copied until one returns
            }
            long want = Math.min(t.spec().minReplicas(), schedulable);
            if (landed < want) {
                out.add("image " + ref + " of template " + t.name() + " is on " + landed + " live servers, wants " + want);
            }
        }
        return out;
    }

    /** A plan never sends work to, or takes images from, a server that must not get it. */
    public static List<String> plan(ClusterImage image, Plan plan) {
        List<String> out = new ArrayList<>();
        Set<String> touched = new HashSet<>();
        for (PlanAction a : plan.actions()) {
            ServerImage s = image.servers().get(a.server()).orElse(null);
            if (s == null || s.missing()) {
                out.add(a + " targets a missing or unknown server");
                continue;
            }
            switch (a) {
                case PlanAction.FetchReplica f -> {
                    if (!s.schedulable()) {
                        out.add(f + " sends an image to a server that is not schedulable");
                    }
                    ServerImage src = image.servers().get(f.source()).orElse(null);
                    if (src == null || src.missing() || src.draining() || !image.images().hasLanded(f.ref(), f.source())) {
                        out.add(f + " fetches from a server that cannot serve it");
                    }
                }
                case PlanAction.AllocateVms v -> {
                    if (!s.schedulable()) {
                        out.add(v + " allocates on a server that is not schedulable");
                    }
                }
                default -> {
                }
            }
            String vmId = switch (a) {
                case PlanAction.BuildVm b -> b.vmId();
                case PlanAction.StartVm b -> b.vmId();
                case PlanAction.StopVm b -> b.vmId();
                case PlanAction.RegenerateVm b -> b.vmId();
                case PlanAction.RetireVm b -> b.vmId();
                case PlanAction.DeleteVm b -> b.vmId();
                default -> null;
            };
            if (vmId != null && !touched.add(vmId)) {
                out.add("VM " + vmId + " has two actions in one plan");
            }
            if (a instanceof PlanAction.RetireVm r && image.vms().get(r.vmId()).map(VmImage::sessionId).orElse(null) != null) {
                out.add(r + " retires a VM that holds a session");
            }
        }
        return out;
    }

    /** Everything above, for one image and its plan. */
    public static List<String> all(ClusterImage image, Plan plan) {
        List<String> out = new ArrayList<>(sessions(image));
        out.addAll(capacity(image));
        out.addAll(plan(image, plan));
        return out;
    }
}
