package io.deskmesh.hypervisor;

/**
 * Root of every error a {@link HypervisorDriver} reports; unchecked and immutable, so it is
 * safe to share between threads.
 *
 * <p>The hierarchy is sealed so that callers (the reconciler, the broker) can switch over
 * every way a driver call can fail without a {@code default} branch, and the compiler tells
 * them when a new kind appears. Each message names the offending value and what to do.
 */
public abstract sealed class DriverException extends RuntimeException
        permits VmNotFoundException, VmAlreadyExistsException, InvalidVmSpecException,
        InvalidVmStateException, InsufficientCapacityException, HostUnavailableException,
        VmStartFailedException, BaseImageRefusedException {

    protected DriverException(String message) {
        super(message);
    }

    protected DriverException(String message, Throwable cause) {
        super(message, cause);
    }
}
