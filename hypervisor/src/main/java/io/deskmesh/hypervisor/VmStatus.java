package io.deskmesh.hypervisor;

import java.util.Objects;

/**
 * One VM's state on its host at the moment it was asked for; immutable.
 *
 * @param vmId               the VM
 * @param name               its human-readable name
 * @param state              its power state
 * @param cpus               vCPUs it is defined with
 * @param memoryMb           memory it is defined with, MiB
 * @param mac                its NIC's MAC
 * @param network            the network its NIC joins
 * @param diskAllocatedBytes bytes its overlay disk holds beyond the base image; back to the
 *                           freshly-defined value after {@link HypervisorDriver#regenerate}
 */
public record VmStatus(String vmId, String name, VmPowerState state, int cpus, long memoryMb,
                       MacAddress mac, String network, long diskAllocatedBytes) {
    public VmStatus {
        Objects.requireNonNull(vmId, "vmId");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(mac, "mac");
        Objects.requireNonNull(network, "network");
        if (diskAllocatedBytes < 0) {
            throw new IllegalArgumentException("VM '" + vmId + "' reports " + diskAllocatedBytes
                    + " allocated disk bytes; the driver must report a non-negative size");
        }
    }
}
