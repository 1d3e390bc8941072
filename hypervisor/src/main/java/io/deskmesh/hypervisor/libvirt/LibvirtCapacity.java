package io.deskmesh.hypervisor.libvirt;

import io.deskmesh.hypervisor.HostUnavailableException;
import io.deskmesh.hypervisor.InsufficientCapacityException;
import io.deskmesh.hypervisor.StorageInfo;
import io.deskmesh.hypervisor.VmSpec;
import io.deskmesh.hypervisor.libvirt.DomainCatalog.Entry;
import io.deskmesh.model.record.Capacity;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The libvirt host's capacity policy, the same as the sim's: memory and vCPUs are charged while a
 * VM is powered on, powered-on vCPUs may reach {@code cores * vcpusPerCore}, and a VM that could
 * not run on the empty host is refused at define and modify. Disk is what the storage
 * directory's file system has free. Immutable and thread-safe.
 */
final class LibvirtCapacity {
    private static final long MIB = 1024L * 1024L;

    private final String host;
    private final LibvirtConfig config;
    private final OptionalLong osMemoryKib;

    LibvirtCapacity(String host, LibvirtConfig config) {
        this.host = host;
        this.config = config;
        this.osMemoryKib = HostResources.osMemoryKib();
    }

    /** libvirt's node figures, raised to the OS's when configured and the host is this machine. */
    HostResources resources(org.libvirt.NodeInfo node) {
        if (config.crossCheckWithOs() && config.isLocal()) {
            return HostResources.crossChecked(node.cpus, node.memory, Runtime.getRuntime().availableProcessors(),
                    osMemoryKib);
        }
        return new HostResources(node.cpus, node.memory / 1024);
    }

    Capacity total(HostResources resources) {
        return new Capacity(resources.cpus(), resources.memoryMb(), storage().capacityBytes() / MIB);
    }

    Capacity free(HostResources resources, List<Entry> vms) {
        long memoryMb = 0;
        long vcpus = 0;
        for (Entry vm : vms) {
            if (vm.state().poweredOn()) {
                memoryMb += vm.def().spec().memoryMb();
                vcpus += vm.def().spec().cpus();
            }
        }
        long coresUsed = Math.min(resources.cpus(), Math.ceilDiv(vcpus, config.vcpusPerCore()));
        return new Capacity((int) (resources.cpus() - coresUsed), Math.max(0, resources.memoryMb() - memoryMb),
                storage().freeBytes() / MIB);
    }

    /** Size and free space of the file system holding the storage directory. */
    StorageInfo storage() {
        try {
            FileStore store = Files.getFileStore(config.storageDir());
            long total = store.getTotalSpace();
            return new StorageInfo(config.storageDir().toString(), total, Math.min(total, store.getUsableSpace()));
        } catch (IOException e) {
            throw new HostUnavailableException(host, "cannot read the free space of " + config.storageDir() + " ("
                    + e + "); check that the storage directory exists and is readable", e);
        }
    }

    /** Refuses a VM that could not run even on this host with nothing else on it. */
    void checkFitsEmptyHost(VmSpec spec, String operation, HostResources resources) {
        String what = "host '" + host + "' cannot " + operation + " VM '" + spec.vmId() + "'";
        if (spec.memoryMb() > resources.memoryMb()) {
            throw new InsufficientCapacityException(what, "MiB of memory", spec.memoryMb(), resources.memoryMb(),
                    resources.memoryMb(), "it could never run here; give it less memory or use a bigger host");
        }
        long vcpuLimit = vcpuLimit(resources);
        if (spec.cpus() > vcpuLimit) {
            throw new InsufficientCapacityException(what, "vCPUs", spec.cpus(), vcpuLimit, vcpuLimit,
                    "it could never run here; give it fewer vCPUs or use a bigger host");
        }
    }

    /** Refuses to power on a VM whose memory or vCPUs do not fit beside the powered-on ones. */
    void checkRoomToStart(VmSpec spec, HostResources resources, List<Entry> vms) {
        long usedMemory = 0;
        long usedVcpus = 0;
        for (Entry vm : vms) {
            if (vm.state().poweredOn() && !vm.vmId().equals(spec.vmId())) {
                usedMemory += vm.def().spec().memoryMb();
                usedVcpus += vm.def().spec().cpus();
            }
        }
        String what = "host '" + host + "' cannot start VM '" + spec.vmId() + "'";
        String remedy = "stop another VM here or start it on another host";
        long freeMemory = Math.max(0, resources.memoryMb() - usedMemory);
        if (spec.memoryMb() > freeMemory) {
            throw new InsufficientCapacityException(what, "MiB of memory", spec.memoryMb(), freeMemory,
                    resources.memoryMb(), remedy);
        }
        long freeVcpus = Math.max(0, vcpuLimit(resources) - usedVcpus);
        if (spec.cpus() > freeVcpus) {
            throw new InsufficientCapacityException(what, "vCPUs", spec.cpus(), freeVcpus, vcpuLimit(resources),
                    remedy);
        }
    }

    /** Refuses a new disk in {@code dir} when less than the configured overlay reserve is free there. */
    void checkDisk(String vmId, String operation, Path dir) {
        try {
            Files.createDirectories(dir);
            FileStore store = Files.getFileStore(dir);
            long freeMb = store.getUsableSpace() / MIB;
            if (freeMb < config.overlayReserveMb()) {
                throw new InsufficientCapacityException("host '" + host + "' cannot " + operation + " VM '" + vmId
                        + "' in " + dir, "MiB of disk", config.overlayReserveMb(), freeMb, store.getTotalSpace() / MIB,
                        "free space there, or place the VM on another host");
            }
        } catch (IOException e) {
            throw new HostUnavailableException(host, "cannot use directory " + dir + " for the disk of VM '" + vmId
                    + "' (" + e + "); check that it exists and is writable", e);
        }
    }

    /** A console port for a new VM: empty for autoport, else the lowest free port of the range. */
    Optional<Integer> consolePort(String vmId, List<Entry> vms) {
        ConsolePorts ports = config.consolePorts();
        if (ports.auto()) {
            return Optional.empty();
        }
        Set<Integer> used = new HashSet<>();
        for (Entry vm : vms) {
            vm.def().consolePort().ifPresent(used::add);
        }
        for (int port = ports.first(); port <= ports.last(); port++) {
            if (!used.contains(port)) {
                return Optional.of(port);
            }
        }
        int size = ports.last() - ports.first() + 1;
        throw new InsufficientCapacityException("host '" + host + "' cannot give VM '" + vmId + "' a console port",
                "console ports in " + ports.first() + ".." + ports.last(), 1, 0, size,
                "delete unused VMs here or widen the port range");
    }

    private long vcpuLimit(HostResources resources) {
        return (long) resources.cpus() * config.vcpusPerCore();
    }
}
