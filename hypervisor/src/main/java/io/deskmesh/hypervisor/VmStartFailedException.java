package io.deskmesh.hypervisor;

/**
 * The hypervisor tried to power a VM on and failed; the VM stays defined and powered off.
 * Immutable and thread-safe.
 */
public final class VmStartFailedException extends DriverException {
    private final String vmId;

    public VmStartFailedException(String vmId, String message) {
        super(message);
        this.vmId = vmId;
    }

    public VmStartFailedException(String vmId, String message, Throwable cause) {
        super(message, cause);
        this.vmId = vmId;
    }

    public String vmId() {
        return vmId;
    }
}
