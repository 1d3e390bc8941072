package io.deskmesh.model.image;

/**
 * What the VMs on one server reserve. Immutable.
 *
 * @param vms      VMs allocated there (every state)
 * @param running  VMs powered on
 * @param cpus     vCPUs reserved
 * @param memoryMb memory reserved, MiB
 */
public record ServerUsage(int vms, int running, long cpus, long memoryMb) {
    public static final ServerUsage NONE = new ServerUsage(0, 0, 0, 0);

    ServerUsage plus(VmImage vm, int sign) {
        int run = vm.state() == io.deskmesh.model.record.VmState.RUNNING ? sign : 0;
        return new ServerUsage(vms + sign, running + run, cpus + (long) sign * vm.cpus(), memoryMb + sign * vm.memoryMb());
    }

    boolean isEmpty() {
        return vms == 0;
    }
}
