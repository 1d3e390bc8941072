package io.deskmesh.hypervisor;

/**
 * The host cannot accept a VM spec as written (unknown network, MAC already used on this
 * host, clone with a different base image, bad resource numbers); immutable and thread-safe.
 */
public final class InvalidVmSpecException extends DriverException {
    private final String vmId;

    public InvalidVmSpecException(String vmId, String message) {
        super(message);
        this.vmId = vmId;
    }

    /** The VM whose spec was refused. */
    public String vmId() {
        return vmId;
    }
}
