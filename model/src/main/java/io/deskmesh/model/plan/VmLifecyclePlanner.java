package io.deskmesh.model.plan;

import io.deskmesh.model.image.ClusterImage;
import io.deskmesh.model.image.ServerImage;
import io.deskmesh.model.image.TemplateImage;
import io.deskmesh.model.image.VmImage;
import io.deskmesh.model.record.VmState;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Moves each VM along its lifecycle and keeps each pool's spare buffer powered on.
 *
 * <p><b>Goals.</b> Allocated VMs get built; retired and broken ones deleted; used non-persistent
 * VMs regenerated before reuse; free VMs on an outdated image version regenerated to the template's
 * version (a rolling update that never touches a VM in use); free VMs on draining servers or of
 * deleted templates retired; VMs holding a session powered on; and {@code spareVms} free VMs of each
 * template powered on, the rest of the free ones off.
 *
 * <p><b>Constraints.</b> Nothing is planned for a VM whose host is missing (the host cannot act; its
 * VMs are replaced by {@link VmAllocationPlanner}); a VM holding a session is never regenerated,
 * retired or stopped. A rollout regenerates only where the new version has landed; where it is on
 * its way (a copy fetching, or planned in this pass) the outdated free VM keeps serving until it
 * lands; elsewhere it is retired and re-allocated where the image is.
 *
 * <p><b>Algorithm.</b> One pass over the VMs that may need a step (see {@link #candidates}) decides
 * each one's own action; then, per template, the
 * free powered-on VMs are compared with {@code spareVms}: start the shortfall from free powered-off
 * VMs on the least utilised servers, stop a surplus beyond one extra from the most utilised. Cost:
 * O(VMs).
 */
public final class VmLifecyclePlanner {
    private VmLifecyclePlanner() {
    }

    static void plan(Projection p, List<PlanAction> actions) {
        ClusterImage image = p.image;
        Set<String> decided = new HashSet<>();
        Set<String> fetchPlanned = new HashSet<>();
        for (PlanAction a : actions) {
            if (a instanceof PlanAction.RetireVm r) {
                decided.add(r.vmId());
            } else if (a instanceof PlanAction.FetchReplica f) {
                fetchPlanned.add(f.server() + "\n" + f.ref());
            }
        }
        for (String template : image.vms().templatesWithVms()) {
            for (String id : candidates(image, template)) {
                VmImage vm = image.vms().get(id).orElseThrow();
                ServerImage host = image.servers().get(vm.server()).orElse(null);
                if (host == null || host.missing() || decided.contains(id)) {
                    continue;
                }
                PlanAction a = decide(image, host, vm, fetchPlanned);
                if (a != null) {
                    actions.add(a);
                    decided.add(id);
                }
            }
        }
        for (TemplateImage t : image.templates().all()) {
            spares(p, t, decided, actions);
        }
    }

    /**
     * The VMs of a template that may need a step, in a deterministic order. At steady state that is
     * only the template's VMs in a transitional state (an index the image keeps), so a pass costs
     * O(templates), not O(VMs); every VM is looked at when the template was deleted or is rolling to
     * a new image version, and every VM on a draining server.
     */
    private static Iterable<String> candidates(ClusterImage image, String template) {
        TemplateImage t = image.templates().get(template).orElse(null);
        var versions = image.vms().versions(template);
        boolean rolling = t == null || versions.size() > 1
                || (!versions.isEmpty() && !versions.containsKey(t.spec().imageVersion()));
        java.util.Map<String, org.pcollections.TreePSet<String>> placement = image.vms().placement(template);
        if (rolling) {
            java.util.List<String> all = new ArrayList<>();
            placement.values().forEach(all::addAll);
            return all;
        }
        java.util.SortedSet<String> out = new java.util.TreeSet<>(image.vms().needingAttention(template));
        for (var e : placement.entrySet()) {
            ServerImage s = image.servers().get(e.getKey()).orElse(null);
            if (s != null && s.draining()) {
                out.addAll(e.getValue());
            }
        }
        return out;
    }

    private static PlanAction decide(ClusterImage image, ServerImage host, VmImage vm, Set<String> fetchPlanned) {
        TemplateImage t = image.templates().get(vm.template()).orElse(null);
        String server = vm.server();
        switch (vm.state()) {
            case ALLOCATED:
                return new PlanAction.BuildVm(server, vm.vmId());
            case RETIRING:
            case UNHEALTHY:
                return new PlanAction.DeleteVm(server, vm.vmId());
            default:
                break;
        }
        if (vm.sessionId() != null) {
            return vm.state() == VmState.STOPPED ? new PlanAction.StartVm(server, vm.vmId()) : null;
        }
        if (t == null) {
            return new PlanAction.RetireVm(server, vm.vmId(), "template '" + vm.template() + "' was deleted");
        }
        if (vm.owner() != null) {
            return null;
        }
        if (host.draining()) {
            return new PlanAction.RetireVm(server, vm.vmId(), "server '" + server + "' is draining");
        }
        int version = t.spec().imageVersion();
        if (vm.state() == VmState.DIRTY || vm.imageVersion() != version) {
            if (image.images().hasLanded(t.imageRef(), server)) {
                return new PlanAction.RegenerateVm(server, vm.vmId(), version);
            }
            boolean arriving = image.images().replicas(t.imageRef()).containsKey(server)
                    || fetchPlanned.contains(server + "\n" + t.imageRef());
            if (arriving && vm.state() != VmState.DIRTY) {
                return null; // still usable on the old version; regenerated here once the new one lands
            }
            return new PlanAction.RetireVm(server, vm.vmId(), "image " + t.imageRef() + " is not on server '" + server + "'");
        }
        return null;
    }

    private static void spares(Projection p, TemplateImage t, Set<String> decided, List<PlanAction> actions) {
        ClusterImage image = p.image;
        if (spareBufferSettled(image, t, decided)) {
            return;
        }
        List<VmImage> on = new ArrayList<>();
        List<VmImage> off = new ArrayList<>();
        for (var e : image.vms().free(t.name()).entrySet()) {
            ServerImage s = image.servers().get(e.getKey()).orElse(null);
            if (s == null || !s.schedulable()) {
                continue;
            }
            for (String id : e.getValue()) {
                VmImage vm = image.vms().get(id).orElseThrow();
                if (vm.imageVersion() != t.spec().imageVersion() || decided.contains(id)) {
                    continue;
                }
                (vm.state() == VmState.RUNNING ? on : off).add(vm);
            }
        }
        int spare = t.spec().spareVms();
        if (on.size() < spare) {
            off.sort((a, b) -> byLoad(p, a, b));
            for (int k = 0; k < Math.min(spare - on.size(), off.size()); k++) {
                actions.add(new PlanAction.StartVm(off.get(k).server(), off.get(k).vmId()));
            }
        } else if (on.size() > spare + 1) {
            on.sort((a, b) -> byLoad(p, b, a));
            for (int k = 0; k < on.size() - spare - 1; k++) {
                actions.add(new PlanAction.StopVm(on.get(k).server(), on.get(k).vmId()));
            }
        }
    }

    /**
     * Whether the template's powered-on free VMs already number spare or spare + 1, counted from the
     * image's index without looking at each VM (the common case). Only when every VM is on the
     * template's version, as the full count requires.
     */
    private static boolean spareBufferSettled(ClusterImage image, TemplateImage t, Set<String> decided) {
        var versions = image.vms().versions(t.name());
        if (versions.size() > 1 || (!versions.isEmpty() && !versions.containsKey(t.spec().imageVersion()))) {
            return false;
        }
        int running = 0;
        for (var e : image.vms().freeRunning(t.name()).entrySet()) {
            ServerImage s = image.servers().get(e.getKey()).orElse(null);
            if (s == null || !s.schedulable()) {
                continue;
            }
            running += e.getValue().size();
            if (!decided.isEmpty()) {
                for (String id : e.getValue()) {
                    if (decided.contains(id)) {
                        running--;
                    }
                }
            }
        }
        int spare = t.spec().spareVms();
        return running == spare || running == spare + 1;
    }

    private static int byLoad(Projection p, VmImage a, VmImage b) {
        int c = Double.compare(p.utilisation(p.indexOf(a.server())), p.utilisation(p.indexOf(b.server())));
        return c != 0 ? c : a.vmId().compareTo(b.vmId());
    }
}
