package io.deskmesh.model.plan;

import io.deskmesh.model.image.ClusterImage;

import java.util.ArrayList;
import java.util.List;

/**
 * Runs the planners on one image and returns one plan; the wiring function that fixes their order.
 *
 * <pre>
 *  ClusterImage ──► Projection (usage + desired pool sizes)
 *                     │
 *                     ├─► ImagePlacementPlanner   static LB: FetchReplica / DropReplica
 *                     ├─► VmAllocationPlanner     dynamic LB: AllocateVms / RetireVm (pool size)
 *                     └─► VmLifecyclePlanner      Build / Start / Stop / Regenerate / Retire / Delete
 * </pre>
 *
 * Image placement runs first so its transfers and disk use are in the projection; allocation uses
 * only landed copies, so VMs follow images one round later. Connection routing is per login and
 * lives in {@link ConnectionRouter}. Pure: the same image gives an equal plan on every node.
 * Stateless, thread-safe.
 */
public final class GridPlanner {
    private GridPlanner() {
    }

    public static Plan plan(ClusterImage image) {
        Projection p = new Projection(image);
        List<PlanAction> actions = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        ImagePlacementPlanner.plan(p, actions, notes);
        VmAllocationPlanner.plan(p, actions, notes);
        VmLifecyclePlanner.plan(p, actions);
        return new Plan(image.index(), actions, notes);
    }
}
