package io.deskmesh.hypervisor.sim;

import io.deskmesh.hypervisor.HostInfo;
import io.deskmesh.hypervisor.InsufficientCapacityException;
import io.deskmesh.hypervisor.StorageInfo;
import io.deskmesh.hypervisor.VmSpec;
import io.deskmesh.model.record.Capacity;
import java.util.Collection;

/**
 * The sim host's capacity policy: what VMs hold and whether a new one fits; immutable and
 * thread-safe (the VMs it reads are guarded by the caller's lock).
 *
 * <p>Memory and vCPUs are charged only while a VM is powered on (STARTING or RUNNING), as on a
 * KVM host; powered-on vCPUs may reach {@code cpus * vcpusPerCore}. A VM that could not run even
 * on the empty host is refused when it is defined or modified. Disk is charged for every defined
 * VM: the larger of {@code overlayReserveMb} and what its overlay holds. Base images are not
 * counted (they live in the image store).
 */
final class SimCapacity {
    static final long MIB = 1024L * 1024L;

    private final SimConfig config;
    private final String host;

    SimCapacity(SimConfig config) {
        this.config = config;
        this.host = config.hostName();
    }

    /** What a set of settled VMs holds. */
    record Usage(long memoryMb, long vcpus, long diskBytes) {
    }

    Usage usage(Collection<SimVm> vms) {
        long memoryMb = 0;
        long vcpus = 0;
        long diskBytes = 0;
        for (SimVm vm : vms) {
            if (vm.state.poweredOn()) {
                memoryMb += vm.spec.memoryMb();
                vcpus += vm.spec.cpus();
            }
            diskBytes += diskCharge(vm.allocatedBytes);
        }
        return new Usage(memoryMb, vcpus, diskBytes);
    }

    HostInfo hostInfo(Usage used) {
        Capacity total = config.capacity();
        long coresUsed = Math.min(total.cpus(), Math.ceilDiv(used.vcpus(), config.vcpusPerCore()));
        Capacity free = new Capacity((int) (total.cpus() - coresUsed),
                Math.max(0, total.memoryMb() - used.memoryMb()), freeDiskBytes(used) / MIB);
        return new HostInfo(host, SimDriver.KIND, SimDriver.VERSION, total, free);
    }

    StorageInfo storageInfo(Usage used) {
        return new StorageInfo(config.storageRoot().toString(), config.capacity().diskMb() * MIB,
                freeDiskBytes(used));
    }

    /** Refuses a VM that could not run even on this host with nothing else on it. */
    void checkFitsEmptyHost(VmSpec spec, String operation) {
        Capacity total = config.capacity();
        String what = "sim host '" + host + "' cannot " + operation + " VM '" + spec.vmId() + "'";
        if (spec.memoryMb() > total.memoryMb()) {
            throw new InsufficientCapacityException(what, "MiB of memory", spec.memoryMb(), total.memoryMb(),
                    total.memoryMb(), "it could never run here; give it less memory or use a bigger host");
        }
        long vcpuLimit = vcpuLimit();
        if (spec.cpus() > vcpuLimit) {
            throw new InsufficientCapacityException(what, "vCPUs", spec.cpus(), vcpuLimit, vcpuLimit,
                    "it could never run here; give it fewer vCPUs or use a bigger host");
        }
    }

    /** Refuses to power on a VM whose memory or vCPUs do not fit beside the powered-on ones. */
    void checkRoomToStart(VmSpec spec, Usage used) {
        Capacity total = config.capacity();
        String what = "sim host '" + host + "' cannot start VM '" + spec.vmId() + "'";
        String remedy = "stop another VM here or start it on another host";
        long freeMemory = Math.max(0, total.memoryMb() - used.memoryMb());
        if (spec.memoryMb() > freeMemory) {
            throw new InsufficientCapacityException(what, "MiB of memory", spec.memoryMb(), freeMemory,
                    total.memoryMb(), remedy);
        }
        long freeVcpus = Math.max(0, vcpuLimit() - used.vcpus());
        if (spec.cpus() > freeVcpus) {
            throw new InsufficientCapacityException(what, "vCPUs", spec.cpus(), freeVcpus, vcpuLimit(), remedy);
        }
    }

    /** Refuses a new overlay of {@code overlayBytes} when its disk charge does not fit. */
    void checkDisk(String vmId, String operation, long overlayBytes, Usage used) {
        long needed = diskCharge(overlayBytes);
        long free = freeDiskBytes(used);
        if (needed > free) {
            throw new InsufficientCapacityException("sim host '" + host + "' cannot " + operation + " VM '"
                    + vmId + "'", "MiB of disk", Math.ceilDiv(needed, MIB), free / MIB, config.capacity().diskMb(),
                    "delete unused VMs here or place it on another host");
        }
    }

    private long vcpuLimit() {
        return (long) config.capacity().cpus() * config.vcpusPerCore();
    }

    private long diskCharge(long overlayBytes) {
        return Math.max(config.overlayReserveMb() * MIB, overlayBytes);
    }

    private long freeDiskBytes(Usage used) {
        return Math.max(0, config.capacity().diskMb() * MIB - used.diskBytes());
    }
}
