package io.deskmesh.node.console;

import io.deskmesh.hypervisor.sim.rfb.RfbConsoleServer;
import io.deskmesh.model.image.ClusterImage;
import io.deskmesh.model.image.SessionImage;
import io.deskmesh.model.image.VmImage;

import java.util.function.Supplier;

/**
 * What the sim hypervisor's consoles show, read from this node's image: the VM's template as the
 * desktop's name and the user of the session holding it (else its persistent owner, else nobody).
 * Stateless, thread-safe.
 */
public final class SimConsoleLabels {
    private SimConsoleLabels() {
    }

    public static RfbConsoleServer.Labels from(Supplier<ClusterImage> image) {
        return (host, vmId) -> {
            ClusterImage i = image.get();
            VmImage vm = i == null ? null : i.vms().get(vmId).orElse(null);
            if (vm == null) {
                return new RfbConsoleServer.Label(vmId, null);
            }
            String user = vm.sessionId() == null ? vm.owner()
                    : i.sessions().get(vm.sessionId()).map(SessionImage::user).orElse(vm.owner());
            return new RfbConsoleServer.Label(vm.template(), user);
        };
    }
}
