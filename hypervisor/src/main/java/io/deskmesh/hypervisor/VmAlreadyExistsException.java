package io.deskmesh.hypervisor;

/**
 * A define or clone named a VM id that already exists with a different spec; immutable and
 * thread-safe. Defining the identical spec again is not an error (define is idempotent).
 */
public final class VmAlreadyExistsException extends DriverException {
    private final String vmId;

    public VmAlreadyExistsException(String host, String vmId, VmSpec existing, VmSpec requested) {
        super("host '" + host + "' already has VM '" + vmId + "' with a different spec (existing "
                + existing + ", requested " + requested + "); delete it first or use another id");
        this.vmId = vmId;
    }

    /** The id that is already taken. */
    public String vmId() {
        return vmId;
    }
}
