package io.deskmesh.model.image;

/**
 * What the VMs on one server reserve. Immutable.
 *
 * @param vms             VMs allocated there (every state)
 * @param running         VMs powered on
 * @param cpus            vCPUs reserved (every state: a VM holds its share until deleted)
 * @param memoryMb        memory reserved, MiB
 * @param leavingCpus     of {@code cpus}, what retiring and broken VMs hold until they are deleted
 * @param leavingMemoryMb of {@code memoryMb}, what retiring and broken VMs hold
 */
public record ServerUsage(int vms, int running, long cpus, long memoryMb, long leavingCpus, long leavingMemoryMb) {
    public static final ServerUsage NONE = new ServerUsage(0, 0, 0, 0, 0, 0);

    ServerUsage plus(VmImage vm, int sign) {
        int run = vm.state() == io.deskmesh.model.record.VmState.RUNNING ? sign : 0;
        boolean leaving = !vm.counted();
        return new ServerUsage(vms + sign, running + run, cpus + (long) sign * vm.cpus(), memoryMb + sign * vm.memoryMb(),
                leavingCpus + (leaving ? (long) sign * vm.cpus() : 0), leavingMemoryMb + (leaving ? sign * vm.memoryMb() : 0));
    }

    /** vCPUs held by VMs that stay. */
    public long stayingCpus() {
        return cpus - leavingCpus;
    }

    /** Memory held by VMs that stay, MiB. */
    public long stayingMemoryMb() {
        return memoryMb - leavingMemoryMb;
    }

    boolean isEmpty() {
        return vms == 0;
    }
}
