package io.deskmesh.model.plan;

import io.deskmesh.model.image.ClusterImage;
import io.deskmesh.model.image.ServerImage;
import io.deskmesh.model.image.TemplateImage;
import io.deskmesh.model.image.VmImage;
import io.deskmesh.model.record.VmState;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.List;
import java.util.PriorityQueue;


/**
 * Dynamic load balancing: how many VMs of each template each server should have.
 *
 * <p><b>Goals.</b> Each template has its desired VMs ({@link PoolSizer}), spread over the servers
 * holding its base image so that every server runs at about the same utilisation; VMs lost with a
 * missing server, or parked on a draining one, are replaced elsewhere.
 *
 * <p><b>Constraints.</b> Only schedulable servers with the image version landed receive VMs; never
 * beyond a server's capacity ({@link CapacityModel}), counting what this pass already placed. Only
 * free VMs are removed: never one holding a session, never a user's own persistent desktop. Auto-sized
 * pools tolerate a small surplus ({@link PoolSizer#surplusBand}) so sizing noise does not churn VMs;
 * only free VMs move to even out load, and only while two servers differ by more than {@link #GAP}.
 *
 * <p><b>Algorithm.</b> For each template, by name: counted = VMs that are not retiring or broken, on
 * live servers that are not draining. A deficit is water-filled: a min-heap of eligible servers keyed
 * by the utilisation they would have with one more VM (name breaks ties) receives one VM at a time,
 * and the per-server totals become {@code AllocateVms} actions. A surplus retires free VMs, from the
 * most utilised servers first, powered-off before powered-on, then by id. Last, within a bounded
 * budget of moves per pass, each template's free VMs move from the most to the least utilised holder
 * of its image while they differ by more than {@link #GAP}. Cost: O(templates × servers + deficit ×
 * log servers + moves × servers).
 */
public final class VmAllocationPlanner {
    private VmAllocationPlanner() {
    }

    static void plan(Projection p, List<PlanAction> actions, List<String> notes) {
        Set<String> retired = new HashSet<>();
        for (PlanAction a : actions) {
            if (a instanceof PlanAction.DropReplica d) {
                p.dropping.add(d.server() + "\u0000" + d.ref());
            }
        }
        for (TemplateImage t : p.image.templates().all()) {
            int desired = p.desired(t.name());
            int counted = counted(p.image, t);
            if (counted < desired) {
                fill(p, t, desired - counted, actions, notes);
            } else if (counted > desired + PoolSizer.surplusBand(t, desired)) {
                trim(p, t, counted - desired, retired, actions);
            }
        }
        int budget = Math.max(MIN_MOVES, p.image.vms().size() / 50);
        for (TemplateImage t : p.image.templates().all()) {
            budget -= rebalance(p, t, budget, retired, actions);
            if (budget <= 0) {
                break;
            }
        }
    }

    /**
     * Moves free VMs of one template from the most to the least utilised server holding its image
     * while the two differ by more than {@link #GAP} and the move leaves the receiver below the
     * donor's level (hysteresis: no move can flip the pair, so nothing moves back and forth). A move
     * retires a free VM on the donor and allocates one on the receiver. Returns moves made.
     */
    private static int rebalance(Projection p, TemplateImage t, int budget, Set<String> retired, List<PlanAction> actions) {
        List<Integer> eligible = p.holders(t);
        if (eligible.size() < 2) {
            return 0;
        }
        // Donor queues are built lazily, only for a server a move actually takes from: at steady
        // state no move happens and no free VM is looked at.
        Map<Integer, Deque<VmImage>> queues = new java.util.HashMap<>();
        int[] taken = new int[p.servers.size()];
        boolean[] exhausted = new boolean[p.servers.size()];
        int moves = 0;
        while (moves < budget) {
            int hi = -1;
            for (int i : eligible) {
                if (!exhausted[i] && p.image.vms().freeOn(t.name(), p.servers.get(i).name()).size() > taken[i]
                        && (hi < 0 || p.utilisation(i) > p.utilisation(hi) + 1e-12)) {
                    hi = i;
                }
            }
            if (hi < 0) {
                break;
            }
            int lo = -1;
            for (int i : eligible) {
                if (i != hi && p.slots(i, t) > 0 && (lo < 0 || p.utilisation(i) < p.utilisation(lo) - 1e-12)) {
                    lo = i;
                }
            }
            if (lo < 0 || p.utilisation(hi) - p.utilisation(lo) <= GAP || p.utilisationWith(lo, t, 1) >= p.utilisation(hi)) {
                break;
            }
            VmImage vm = queues.computeIfAbsent(hi, i -> donorQueue(p, t, i, retired)).poll();
            if (vm == null) {
                exhausted[hi] = true;
                continue;
            }
            taken[hi]++;
            retired.add(vm.vmId());
            actions.add(new PlanAction.RetireVm(vm.server(), vm.vmId(), "moved to even out load"));
            // Project the move as the next pass will make it, so this pass does not over-retire.
            p.release(hi, vm.cpus(), vm.memoryMb());
            p.add(lo, t, 1);
            moves++;
        }
        return moves;
    }

    /** VMs of the template that count towards its pool: not retiring or broken, on live, non-draining servers. */
    static int counted(ClusterImage image, TemplateImage t) {
        int n = 0;
        for (var e : image.vms().placement(t.name()).entrySet()) {
            ServerImage s = image.servers().get(e.getKey()).orElse(null);
            if (s == null || s.missing() || s.draining()) {
                continue;
            }
            n += e.getValue().size() - image.vms().leavingOn(t.name(), e.getKey());
        }
        return n;
    }

    private static void fill(Projection p, TemplateImage t, int deficit, List<PlanAction> actions, List<String> notes) {
        int n = p.servers.size();
        int[] added = new int[n];
        PriorityQueue<int[]> heap = new PriorityQueue<>((a, b) -> {
            int c = Double.compare(p.utilisationWith(a[0], t, 1), p.utilisationWith(b[0], t, 1));
            return c != 0 ? c : p.servers.get(a[0]).name().compareTo(p.servers.get(b[0]).name());
        });
        for (int i : p.holders(t)) {
            if (p.slots(i, t) > 0) {
                heap.add(new int[]{i});
            }
        }
        int placed = 0;
        while (placed < deficit && !heap.isEmpty()) {
            int[] top = heap.poll();
            int i = top[0];
            p.add(i, t, 1);
            added[i]++;
            placed++;
            if (p.slots(i, t) > 0) {
                heap.add(top);
            }
        }
        for (int i = 0; i < n; i++) {
            for (int left = added[i]; left > 0; left -= Math.min(left, MAX_CHUNK)) {
                actions.add(new PlanAction.AllocateVms(p.servers.get(i).name(), t.name(), Math.min(left, MAX_CHUNK)));
            }
        }
        if (placed < deficit) {
            notes.add("template '" + t.name() + "': " + (deficit - placed) + " of its VMs have no room on the servers holding "
                    + t.imageRef() + "; add servers or capacity, or the image spreads as capacity frees");
        }
    }

    static final int MAX_CHUNK = 1000;
    /** Utilisation difference between two servers above which VMs move; the spread target. */
    static final double GAP = 0.10;
    static final int MIN_MOVES = 50;

    /** Free VMs of the template on server i that a move may take: current version, powered-off first, then by id. */
    private static Deque<VmImage> donorQueue(Projection p, TemplateImage t, int i, Set<String> retired) {
        List<VmImage> free = new ArrayList<>();
        for (String id : p.image.vms().freeOn(t.name(), p.servers.get(i).name())) {
            VmImage vm = p.image.vms().get(id).orElseThrow();
            if (!retired.contains(id) && vm.imageVersion() == t.spec().imageVersion()) {
                free.add(vm);
            }
        }
        free.sort((a, b) -> {
            int c = Boolean.compare(a.state() == VmState.RUNNING, b.state() == VmState.RUNNING);
            return c != 0 ? c : a.vmId().compareTo(b.vmId());
        });
        return new ArrayDeque<>(free);
    }

    private static void trim(Projection p, TemplateImage t, int surplus, Set<String> retired, List<PlanAction> actions) {
        List<VmImage> free = new ArrayList<>();
        for (var e : p.image.vms().free(t.name()).entrySet()) {
            ServerImage s = p.image.servers().get(e.getKey()).orElse(null);
            if (s == null || s.missing() || s.draining()) {
                continue;
            }
            for (String id : e.getValue()) {
                free.add(p.image.vms().get(id).orElseThrow());
            }
        }
        free.sort((a, b) -> {
            int c = Double.compare(p.utilisation(p.indexOf(b.server())), p.utilisation(p.indexOf(a.server())));
            if (c != 0) {
                return c;
            }
            c = Boolean.compare(a.state() == VmState.RUNNING, b.state() == VmState.RUNNING);
            return c != 0 ? c : a.vmId().compareTo(b.vmId());
        });
        for (int k = 0; k < Math.min(surplus, free.size()); k++) {
            VmImage vm = free.get(k);
            retired.add(vm.vmId());
            p.release(p.indexOf(vm.server()), vm.cpus(), vm.memoryMb());
            actions.add(new PlanAction.RetireVm(vm.server(), vm.vmId(), "pool of '" + t.name() + "' is larger than desired"));
        }
    }

}
