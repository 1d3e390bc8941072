package io.deskmesh.model.record;

/**
 * What a server offers to virtual machines: CPU cores, memory and disk. Immutable.
 *
 * @param cpus     physical cores offered to VMs (vCPUs are over-committed against them)
 * @param memoryMb memory offered to VMs, in MiB
 * @param diskMb   disk offered to base images and VM overlays, in MiB
 */
public record Capacity(int cpus, long memoryMb, long diskMb) {
    public static final Capacity ZERO = new Capacity(0, 0, 0);

    public Capacity {
        if (cpus < 0 || memoryMb < 0 || diskMb < 0) {
            throw new IllegalArgumentException("capacity must not be negative: cpus=" + cpus
                    + " memoryMb=" + memoryMb + " diskMb=" + diskMb);
        }
    }
}
