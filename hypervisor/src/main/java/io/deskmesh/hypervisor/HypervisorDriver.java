package io.deskmesh.hypervisor;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Runs VMs on one host: defines, powers, clones, reshapes and removes them and reports host
 * capacity. Implementations are thread-safe; any thread may call any method at any time.
 *
 * <p>Every implementation (the {@code sim} driver now, {@code libvirt} later) passes the shared
 * contract suite {@code HypervisorDriverContract}. Nothing here names a hypervisor library's
 * types, so the reconciler and the broker work with any driver.
 *
 * <p><b>Idempotency.</b> The reconciler retries after crashes, so repeating a call that already
 * took effect succeeds quietly: {@link #define} of an identical spec returns the existing VM;
 * {@link #clone} likewise for an identical target; {@link #start} of a powered-on VM,
 * {@link #shutdown}/{@link #destroy} of a powered-off VM and {@link #delete} of an absent VM do
 * nothing.
 *
 * <p><b>States.</b> {@link #modify}, {@link #regenerate}, {@link #delete} and the source of
 * {@link #clone} need the VM powered off (STOPPED or CRASHED) and otherwise throw
 * {@link InvalidVmStateException}. Every method that names an existing VM throws
 * {@link VmNotFoundException} for an unknown id, except {@link #status} (empty) and
 * {@link #delete} (no-op).
 *
 * <p><b>Errors.</b> All failures are {@link DriverException}s. {@link HostUnavailableException}
 * means the host itself did not answer (or the driver is closed) and says nothing about the VM.
 */
public interface HypervisorDriver extends AutoCloseable {

    /** The host's capacity and what is free; see {@link HostInfo} for how free is counted. */
    HostInfo host();

    /** Size and free space of the area holding VM disks. */
    StorageInfo storage();

    /**
     * Creates the VM definition and its copy-on-write overlay on {@code spec.baseImage()}; the VM
     * is STOPPED. Returns the existing VM if one with an equal spec is defined.
     *
     * @throws VmAlreadyExistsException      if the id exists with a different spec
     * @throws InvalidVmSpecException        if the host cannot accept the spec (unknown network,
     *                                       MAC used by another VM on this host, missing base image)
     * @throws InsufficientCapacityException if the host could never run it or has no disk for it
     */
    VmHandle define(VmSpec spec);

    /**
     * Powers the VM on. Returns once the hypervisor accepted it; the VM may report STARTING for a
     * while before RUNNING. A CRASHED VM is started afresh.
     *
     * @throws InsufficientCapacityException if its memory or vCPUs do not fit beside the powered-on VMs
     * @throws VmStartFailedException        if the hypervisor failed to power it on; it stays off
     */
    void start(String vmId);

    /**
     * Asks the guest to shut down, waits up to {@code grace}, then powers it off by force.
     * Returns when the VM is STOPPED.
     */
    void shutdown(String vmId, Duration grace);

    /** Powers the VM off at once, like pulling the plug; it ends STOPPED. */
    void destroy(String vmId);

    /**
     * Removes the VM's definition and its overlay disk. The VM must be powered off; an absent VM
     * is not an error.
     */
    void delete(String vmId);

    /**
     * Defines {@code target} with a copy of the powered-off source VM's disk (same base image,
     * same guest contents). {@code target.baseImage()} must equal the source's.
     */
    VmHandle clone(String sourceVmId, VmSpec target);

    /**
     * Changes the VM's vCPUs and memory; only while powered off.
     *
     * @return the VM with its new spec
     * @throws InvalidVmStateException       if it is powered on
     * @throws InsufficientCapacityException if the host could never run it with these numbers
     */
    VmHandle modify(String vmId, int cpus, long memoryMb);

    /** Throws the VM's overlay away and recreates it empty on its base image; only while powered off. */
    void regenerate(String vmId);

    /** The VM's current state, or empty if the host has no such VM. */
    Optional<VmStatus> status(String vmId);

    /** The spec the VM is defined with now (after any modify), or empty if the host has no such VM. */
    Optional<VmSpec> definition(String vmId);

    /** Every VM this driver manages on the host, sorted by id. */
    List<VmStatus> list();

    /**
     * Where the VM's console listens while it is powered on; empty while it is off or when the
     * host offers no console for it.
     */
    Optional<ConsoleAddress> console(String vmId);

    /**
     * What this driver does to a base image version as it lands on the host (see
     * {@link BaseImageCustomizer}); {@link BaseImageCustomizer#NONE} unless the driver needs more.
     */
    default BaseImageCustomizer baseImages() {
        return BaseImageCustomizer.NONE;
    }

    /**
     * Releases the driver's resources; on a real host the VMs keep running. Afterwards every call
     * throws {@link HostUnavailableException}. Idempotent.
     */
    @Override
    void close();
}
