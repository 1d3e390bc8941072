package io.deskmesh.model.plan;

import io.deskmesh.model.image.ServerUsage;
import io.deskmesh.model.record.Capacity;

/**
 * How VM sizes are counted against a server's capacity, shared by the planners and by the commands
 * that check allocations at apply time. Every allocated VM reserves its vCPUs and memory, powered on
 * or not, so starting every VM a server holds never overcommits memory. vCPUs are overcommitted
 * {@value #VCPUS_PER_CORE}:1 against cores, the usual figure for desktop workloads. Stateless, thread-safe.
 */
public final class CapacityModel {
    /** vCPUs a physical core may carry. */
    public static final int VCPUS_PER_CORE = 4;

    private CapacityModel() {
    }

    /** vCPUs a server may hand out. */
    public static long vcpus(Capacity c) {
        return (long) c.cpus() * VCPUS_PER_CORE;
    }

    /** How many more VMs of this size fit on the server. */
    public static int slots(Capacity c, ServerUsage used, int cpus, long memoryMb) {
        return slots(c, used.cpus(), used.memoryMb(), cpus, memoryMb);
    }

    /** How many more VMs of this size fit given reserved vCPUs and memory. */
    public static int slots(Capacity c, long usedCpus, long usedMemoryMb, int cpus, long memoryMb) {
        long memFree = c.memoryMb() - usedMemoryMb;
        long cpuFree = vcpus(c) - usedCpus;
        if (memFree <= 0 || cpuFree <= 0) {
            return 0;
        }
        long byMem = memoryMb <= 0 ? Integer.MAX_VALUE : memFree / memoryMb;
        long byCpu = cpus <= 0 ? Integer.MAX_VALUE : cpuFree / cpus;
        return (int) Math.min(Integer.MAX_VALUE, Math.min(byMem, byCpu));
    }

    /** Utilisation 0..1 (can exceed 1 only if capacity shrank): the larger of memory and vCPU shares. */
    public static double utilisation(Capacity c, long usedCpus, long usedMemoryMb) {
        if (c.memoryMb() == 0 || c.cpus() == 0) {
            return usedCpus == 0 && usedMemoryMb == 0 ? 0 : 1;
        }
        return Math.max((double) usedMemoryMb / c.memoryMb(), (double) usedCpus / vcpus(c));
    }

    public static double utilisation(Capacity c, ServerUsage used) {
        return utilisation(c, used.cpus(), used.memoryMb());
    }

    /** Bytes of disk a server offers. */
    public static long diskBytes(Capacity c) {
        return c.diskMb() * 1024L * 1024L;
    }
}
