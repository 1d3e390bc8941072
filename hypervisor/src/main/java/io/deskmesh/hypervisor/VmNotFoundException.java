package io.deskmesh.hypervisor;

/** The driver has no VM with the given id; immutable and thread-safe. */
public final class VmNotFoundException extends DriverException {
    private final String vmId;

    public VmNotFoundException(String host, String vmId) {
        super("host '" + host + "' has no VM '" + vmId + "'; check the id with list(), or define it first");
        this.vmId = vmId;
    }

    /** The id that was not found. */
    public String vmId() {
        return vmId;
    }
}
