package io.deskmesh.testkit.sim;

import io.deskmesh.model.command.*;
import io.deskmesh.model.plan.PlanAction;

import java.util.List;

/**
 * Turns a planned action into the commands its server would submit after carrying it out
 * successfully, as an instant, perfect host would. Stateless, thread-safe.
 */
public final class ActionOutcomes {
    private ActionOutcomes() {
    }

    public static List<MeshCommand> of(PlanAction action) {
        return switch (action) {
            case PlanAction.FetchReplica a -> List.of(
                    new StartReplicaTransferCommand(a.ref().image(), a.ref().version(), a.server(), a.source()),
                    new LandReplicaCommand(a.ref().image(), a.ref().version(), a.server()));
            case PlanAction.DropReplica a -> List.of(new RemoveReplicaCommand(a.ref().image(), a.ref().version(), a.server()));
            case PlanAction.AllocateVms a -> List.of(new AllocateVmsCommand(a.template(), a.server(), a.count()));
            case PlanAction.BuildVm a -> List.of(new ReportVmCreatedCommand(a.vmId(), mac(a.vmId())));
            case PlanAction.StartVm a -> List.of(new ReportVmStartedCommand(a.vmId()));
            case PlanAction.StopVm a -> List.of(new ReportVmStoppedCommand(a.vmId()));
            case PlanAction.RegenerateVm a -> List.of(new ReportVmRegeneratedCommand(a.vmId(), a.imageVersion()));
            case PlanAction.RetireVm a -> List.of(new RetireVmCommand(a.vmId(), a.reason()));
            case PlanAction.DeleteVm a -> List.of(new ReportVmDeletedCommand(a.vmId()));
        };
    }

    /** A locally administered MAC derived from the id; collisions do not matter to the model. */
    static String mac(String vmId) {
        int h = vmId.hashCode();
        return String.format("02:de:5c:%02x:%02x:%02x", (h >>> 16) & 0xff, (h >>> 8) & 0xff, h & 0xff);
    }
}
