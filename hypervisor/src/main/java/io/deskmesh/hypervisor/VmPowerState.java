package io.deskmesh.hypervisor;

/**
 * Power state of one VM as its hypervisor sees it right now (not the replicated
 * {@code io.deskmesh.model.record.VmState}, which the reconciler derives from records).
 */
public enum VmPowerState {
    /** Powered on and still booting; counts against memory and vCPUs; its console is open. */
    STARTING,
    /** Powered on and booted. */
    RUNNING,
    /** Defined with its disk, powered off. */
    STOPPED,
    /** The guest or its emulator died; powered off, holds no memory; start or destroy it. */
    CRASHED;

    /** Whether the VM holds memory and vCPUs and has a console: {@link #STARTING} or {@link #RUNNING}. */
    public boolean poweredOn() {
        return this == STARTING || this == RUNNING;
    }
}
