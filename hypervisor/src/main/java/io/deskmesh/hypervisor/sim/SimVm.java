package io.deskmesh.hypervisor.sim;

import io.deskmesh.hypervisor.VmPowerState;
import io.deskmesh.hypervisor.VmSpec;
import io.deskmesh.hypervisor.VmStatus;

/**
 * One simulated VM's mutable state; not thread-safe, guarded by its {@link SimDriver}'s lock.
 * Kept to four fields so a JVM can hold hundreds of thousands of them.
 */
final class SimVm {
    VmSpec spec;
    VmPowerState state = VmPowerState.STOPPED;
    /** Clock millis at which a STARTING VM becomes RUNNING; meaningless in other states. */
    long bootEndsAtMillis;
    /** Simulated bytes written to the overlay since it was created or regenerated. */
    long allocatedBytes;

    SimVm(VmSpec spec, long allocatedBytes) {
        this.spec = spec;
        this.allocatedBytes = allocatedBytes;
    }

    /** Completes a boot whose end time has come; this is how boots finish without timers. */
    void settle(long nowMillis, long bootWritesBytes) {
        if (state == VmPowerState.STARTING && nowMillis >= bootEndsAtMillis) {
            finishBoot(bootWritesBytes);
        }
    }

    void finishBoot(long bootWritesBytes) {
        state = VmPowerState.RUNNING;
        allocatedBytes += bootWritesBytes;
    }

    VmStatus toStatus() {
        return new VmStatus(spec.vmId(), spec.name(), state, spec.cpus(), spec.memoryMb(), spec.mac(),
                spec.network(), allocatedBytes);
    }
}
