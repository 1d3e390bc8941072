package io.deskmesh.hypervisor;

import io.deskmesh.model.record.Capacity;
import java.util.Objects;

/**
 * What one hypervisor host offers to VMs and how much of it is free; immutable.
 *
 * <p>{@code free} is accounting over the VMs this driver manages, not a live OS measurement,
 * so the broker can predict it: {@code free.memoryMb = max(0, total.memoryMb - sum of memory
 * of powered-on VMs)}; {@code free.cpus} counts physical cores not yet committed to powered-on
 * vCPUs (drivers may over-commit vCPUs, so it floors at 0); {@code free.diskMb} is the free
 * space of the VM storage area.
 *
 * @param hostName          the host's name as the driver knows it
 * @param hypervisorKind    e.g. {@code "sim"} or {@code "QEMU"}
 * @param hypervisorVersion the hypervisor's version string
 * @param total             capacity offered to VMs
 * @param free              capacity not in use; each field is at most the matching total
 */
public record HostInfo(String hostName, String hypervisorKind, String hypervisorVersion,
                       Capacity total, Capacity free) {
    public HostInfo {
        Objects.requireNonNull(hostName, "hostName");
        Objects.requireNonNull(hypervisorKind, "hypervisorKind");
        Objects.requireNonNull(hypervisorVersion, "hypervisorVersion");
        Objects.requireNonNull(total, "total");
        Objects.requireNonNull(free, "free");
        if (free.cpus() > total.cpus() || free.memoryMb() > total.memoryMb() || free.diskMb() > total.diskMb()) {
            throw new IllegalArgumentException("free capacity " + free + " exceeds total " + total
                    + " on host '" + hostName + "'; the driver's accounting is wrong");
        }
    }
}
