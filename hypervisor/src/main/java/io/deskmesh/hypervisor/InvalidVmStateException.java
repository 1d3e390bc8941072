package io.deskmesh.hypervisor;

/**
 * An operation was refused because the VM is in the wrong power state (for example
 * {@code modify} while it runs); immutable and thread-safe.
 */
public final class InvalidVmStateException extends DriverException {
    private final String vmId;
    private final VmPowerState actual;
    private final String operation;

    /**
     * @param vmId      the VM
     * @param actual    the state it is in
     * @param operation the refused operation, e.g. {@code "modify"}
     * @param remedy    what the caller should do, e.g. {@code "shut it down first"}
     */
    public InvalidVmStateException(String vmId, VmPowerState actual, String operation, String remedy) {
        super("cannot " + operation + " VM '" + vmId + "' while it is " + actual + "; " + remedy);
        this.vmId = vmId;
        this.actual = actual;
        this.operation = operation;
    }

    public String vmId() {
        return vmId;
    }

    /** The state the VM was in when the operation was refused. */
    public VmPowerState actual() {
        return actual;
    }

    public String operation() {
        return operation;
    }
}
