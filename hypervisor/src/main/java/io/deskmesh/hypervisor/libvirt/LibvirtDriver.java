package io.deskmesh.hypervisor.libvirt;

import io.deskmesh.hypervisor.ConsoleAddress;
import io.deskmesh.hypervisor.HostInfo;
import io.deskmesh.hypervisor.HostUnavailableException;
import io.deskmesh.hypervisor.HypervisorDriver;
import io.deskmesh.hypervisor.InvalidVmSpecException;
import io.deskmesh.hypervisor.InvalidVmStateException;
import io.deskmesh.hypervisor.StorageInfo;
import io.deskmesh.hypervisor.VmAlreadyExistsException;
import io.deskmesh.hypervisor.VmHandle;
import io.deskmesh.hypervisor.VmNotFoundException;
import io.deskmesh.hypervisor.VmPowerState;
import io.deskmesh.hypervisor.VmSpec;
import io.deskmesh.hypervisor.VmStatus;
import io.deskmesh.hypervisor.libvirt.DomainCatalog.Entry;
import io.deskmesh.hypervisor.libvirt.LibvirtConfig.NicMode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.LibvirtException;
import org.libvirt.Network;
import org.libvirt.NodeInfo;

/**
 * Runs DeskMesh VMs as libvirt domains (QEMU/KVM, or libvirt's test hypervisor); thread-safe.
 *
 * <p><b>State.</b> The driver keeps none of its own: each VM is a persistent domain named
 * {@code <prefix><vmId>} whose {@code <metadata>} holds its {@link VmSpec} (see
 * {@link DomainXml}), so a restarted node finds its VMs again. Domains without the prefix and
 * the metadata are never listed or touched.
 *
 * <p><b>Concurrency.</b> libvirt is reached through one {@link LibvirtConnection}, which runs
 * one call at a time. Operations on the same VM are serialised by a striped per-VM lock, and the
 * steps that check host-wide invariants and then act on them (unique MACs and console ports in
 * define and clone, free memory in start) also hold one admission lock. A graceful shutdown
 * waits holding only its VM's lock, so other VMs are not held up by a slow guest.
 *
 * <p><b>Disks.</b> Each VM's disk is a qcow2 overlay {@code <vmId>.qcow2} on its base image, in
 * the spec's directory or the driver's storage directory, made by the configured
 * {@link OverlayMaker}; a clone copies the source's overlay (same backing file, same contents).
 * The driver must run on the hypervisor's host: disks and capacity are read from local files.
 */
public final class LibvirtDriver implements HypervisorDriver {
    private static final String POWER_OFF_FIRST = "power it off first with shutdown() or destroy()";
    private static final Duration LOCK_TIMEOUT = Duration.ofMinutes(2);

    private final LibvirtConfig config;
    private final String host;
    private final LibvirtConnection libvirt;
    private final DomainCatalog catalog;
    private final LibvirtCapacity capacity;
    private final VmDisks disks;
    private final DomainPower power;
    private final LibvirtBaseImages baseImages;
    private final VmLocks vmLocks = new VmLocks();
    private final ReentrantLock admission = new ReentrantLock();

    /**
     * Creates the driver and its storage directory; libvirt is contacted on first use, so a node
     * can start while libvirtd is down and see {@link HostUnavailableException}s until it is up.
     *
     * @throws IllegalArgumentException when the storage directory cannot be created
     */
    public LibvirtDriver(LibvirtConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        this.host = config.isLocal() ? LocalHost.name() : config.uri().getHost();
        this.libvirt = new LibvirtConnection(config.uri(), host, LOCK_TIMEOUT);
        this.catalog = new DomainCatalog(config.domainPrefix());
        this.capacity = new LibvirtCapacity(host, config);
        this.disks = new VmDisks(host, config);
        this.power = new DomainPower(libvirt, catalog);
        this.baseImages = new LibvirtBaseImages(libvirt, config);
        try {
            Files.createDirectories(config.storageDir());
        } catch (IOException e) {
            throw new IllegalArgumentException("libvirt config: cannot create storage directory "
                    + config.storageDir() + " (" + e + "); pick a writable directory", e);
        }
    }

    /** The settings this driver runs with. */
    public LibvirtConfig config() {
        return config;
    }

    @Override
    public HostInfo host() {
        record Reading(String name, String kind, long version, NodeInfo node, List<Entry> vms) {
        }
        Reading r = libvirt.request(null, "read the host's capacity", c -> new Reading(c.getHostName(), c.getType(),
                c.getVersion(), c.nodeInfo(), catalog.all(c)));
        HostResources resources = capacity.resources(r.node());
        return new HostInfo(r.name(), r.kind(), formatVersion(r.version()),
                capacity.total(resources), capacity.free(resources, r.vms()));
    }

    @Override
    public StorageInfo storage() {
        requireOpen("read storage");
        return capacity.storage();
    }

    @Override
    public VmHandle define(VmSpec spec) {
        Objects.requireNonNull(spec, "spec");
        requireOpen("define VM '" + spec.vmId() + "'");
        return vmLocks.call(() -> admitted(() -> admit(spec, "define", null)), spec.vmId());
    }

    @Override
    public VmHandle clone(String sourceVmId, VmSpec target) {
        Objects.requireNonNull(target, "target");
        requireOpen("clone VM '" + sourceVmId + "'");
        return vmLocks.call(() -> {
            Entry source = require(sourceVmId);
            Optional<Entry> existing = find(target.vmId());
            if (existing.isPresent()) {
                return sameOrConflict(existing.get(), target);
            }
            if (!target.baseImage().equals(source.def().spec().baseImage())) {
                throw new InvalidVmSpecException(target.vmId(), "clone '" + target.vmId() + "' names base image "
                        + target.baseImage() + " but its source '" + sourceVmId + "' is layered on "
                        + source.def().spec().baseImage() + "; pass the source's base image or define the VM instead");
            }
            if (source.state().poweredOn()) {
                throw new InvalidVmStateException(sourceVmId, source.state(), "clone",
                        "a clone copies a quiescent disk; " + POWER_OFF_FIRST);
            }
            releaseCrashed(source);
            return admitted(() -> admit(target, "clone", source.def().disk()));
        }, sourceVmId, target.vmId());
    }

    @Override
    public void start(String vmId) {
        requireOpen("start VM '" + vmId + "'");
        vmLocks.run(vmId, () -> admitted(() -> powerOn(vmId)));
    }

    /** Starts a VM if it is off and fits; the caller holds its lock and the admission lock. */
    private Void powerOn(String vmId) {
        Entry vm = require(vmId);
        if (vm.state().poweredOn()) {
            return null;
        }
        releaseCrashed(vm);
        record Reading(NodeInfo node, List<Entry> vms) {
        }
        Reading r = libvirt.request(vmId, "start VM '" + vmId + "'", c -> new Reading(c.nodeInfo(), catalog.all(c)));
        capacity.checkRoomToStart(vm.def().spec(), capacity.resources(r.node()), r.vms());
        power.start(vmId, vm.def().disk());
        return null;
    }

    @Override
    public void shutdown(String vmId, Duration grace) {
        Objects.requireNonNull(grace, "grace");
        if (grace.isNegative()) {
            throw new IllegalArgumentException("shutdown grace " + grace + " for VM '" + vmId
                    + "' is negative; pass Duration.ZERO to force at once");
        }
        requireOpen("shut down VM '" + vmId + "'");
        Duration wait = config.maxShutdownGrace().filter(max -> max.compareTo(grace) < 0).orElse(grace);
        vmLocks.run(vmId, () -> {
            if (!require(vmId).state().poweredOn()) {
                return;
            }
            power.shutdown(vmId, wait);
        });
    }

    @Override
    public void destroy(String vmId) {
        requireOpen("destroy VM '" + vmId + "'");
        vmLocks.run(vmId, () -> {
            require(vmId);
            power.forceOff(vmId);
        });
    }

    @Override
    public void delete(String vmId) {
        requireOpen("delete VM '" + vmId + "'");
        vmLocks.run(vmId, () -> {
            Optional<Entry> found = find(vmId);
            if (found.isEmpty()) {
                return;
            }
            Entry vm = requireOff(found.get(), "delete");
            // Disk first: if undefine then fails, a retry still finds the domain and finishes the job.
            disks.delete(vm.def().disk(), vmId);
            vm.def().agentSocket().ifPresent(socket -> disks.delete(socket, vmId));
            power.undefine(vmId);
        });
    }

    @Override
    public VmHandle modify(String vmId, int cpus, long memoryMb) {
        requireOpen("modify VM '" + vmId + "'");
        return vmLocks.call(() -> {
            Entry vm = requireOff(require(vmId), "modify");
            VmSpec changed = vm.def().spec().withResources(cpus, memoryMb);
            if (changed.equals(vm.def().spec())) {
                return handle(vm.def());
            }
            capacity.checkFitsEmptyHost(changed, "modify", resources());
            DomainDefinition redefined = vm.def().withSpec(changed);
            try {
                libvirt.call("modify VM '" + vmId + "'",
                        c -> free(c.domainDefineXML(DomainXml.render(redefined, config.domainType()))));
            } catch (LibvirtException e) {
                throw new InvalidVmSpecException(vmId, "host '" + host + "' refused " + cpus + " vCPUs and " + memoryMb
                        + " MiB for VM '" + vmId + "': " + LibvirtErrors.message(e) + "; pick numbers the host supports");
            }
            return handle(redefined);
        }, vmId);
    }

    @Override
    public void regenerate(String vmId) {
        requireOpen("regenerate VM '" + vmId + "'");
        vmLocks.run(vmId, () -> {
            Entry vm = requireOff(require(vmId), "regenerate");
            disks.requireBaseImage(vm.def().spec());
            disks.makeOverlay(vm.def().spec(), vm.def().disk());
        });
    }

    @Override
    public Optional<VmStatus> status(String vmId) {
        return find(vmId).map(this::statusOf);
    }

    @Override
    public Optional<VmSpec> definition(String vmId) {
        return find(vmId).map(vm -> vm.def().spec());
    }

    @Override
    public List<VmStatus> list() {
        return libvirt.request(null, "list VMs", catalog::all).stream().map(this::statusOf).toList();
    }

    @Override
    public Optional<ConsoleAddress> console(String vmId) {
        Optional<String> liveXml = libvirt.request(vmId, "read the console of VM '" + vmId + "'", c -> {
            Entry vm = catalog.find(c, vmId).orElseThrow(() -> new VmNotFoundException(host, vmId));
            if (!vm.state().poweredOn()) {
                return Optional.empty();
            }
            return Optional.of(catalog.withDomain(c, vmId, d -> d.getXMLDesc(0)));
        });
        return liveXml.flatMap(DomainXml::console);
    }

    /**
     * The host end of the VM's desktop-agent channel (a unix socket): the path the driver chose,
     * or, when the storage path was too long for a socket, the one libvirt chose while it runs.
     */
    public Optional<Path> agentSocket(String vmId) {
        Entry vm = require(vmId);
        if (vm.def().agentSocket().isPresent() || !vm.state().poweredOn()) {
            return vm.def().agentSocket();
        }
        return libvirt.request(vmId, "read the agent channel of VM '" + vmId + "'",
                c -> catalog.withDomain(c, vmId, d -> DomainXml.agentSocket(d.getXMLDesc(0))));
    }

    /** Registers landed base images as volumes of this node's storage pool; VMs are based on those. */
    @Override
    public LibvirtBaseImages baseImages() {
        return baseImages;
    }

    @Override
    public void close() {
        libvirt.close();
    }

    // ---- define and clone --------------------------------------------------------------------

    /** Checks a new VM against the host and defines it; the caller holds the VM's and the admission lock. */
    private VmHandle admit(VmSpec spec, String operation, Path cloneOf) {
        NicMode mode = config.networks().get(spec.network());
        if (mode == null) {
            throw new InvalidVmSpecException(spec.vmId(), "host '" + host + "' has no network '" + spec.network()
                    + "' for VM '" + spec.vmId() + "'; VMs here may join " + config.networks().keySet()
                    + "; pick one of those or add the network to the driver's LibvirtConfig");
        }
        record Reading(List<Entry> vms, NodeInfo node, Optional<String> nic) {
        }
        Reading r = libvirt.request(null, operation + " VM '" + spec.vmId() + "'",
                c -> new Reading(catalog.all(c), c.nodeInfo(), nicNetwork(c, spec, mode)));
        Optional<Entry> existing = r.vms().stream().filter(e -> e.vmId().equals(spec.vmId())).findFirst();
        if (existing.isPresent()) {
            return sameOrConflict(existing.get(), spec);
        }
        capacity.checkFitsEmptyHost(spec, operation, capacity.resources(r.node()));
        if (cloneOf == null) {
            disks.requireBaseImage(spec);
        }
        for (Entry other : r.vms()) {
            if (other.def().spec().mac().equals(spec.mac())) {
                throw new InvalidVmSpecException(spec.vmId(), "MAC " + spec.mac() + " of VM '" + spec.vmId()
                        + "' is already used by VM '" + other.vmId() + "' on host '" + host
                        + "'; allocate another with MacAllocator");
            }
        }
        Optional<Integer> port = capacity.consolePort(spec.vmId(), r.vms());
        Path disk = disks.diskPath(spec);
        capacity.checkDisk(spec.vmId(), operation, disk.getParent());
        if (cloneOf == null) {
            disks.makeOverlay(spec, disk);
        } else {
            disks.copyOverlay(spec, cloneOf, disk);
        }
        DomainDefinition def = new DomainDefinition(catalog.domainName(spec.vmId()), Optional.empty(), spec, disk,
                disks.agentSocketPath(spec.vmId()), r.nic(), port);
        try {
            libvirt.call(operation + " VM '" + spec.vmId() + "'",
                    c -> free(c.domainDefineXML(DomainXml.render(def, config.domainType()))));
        } catch (LibvirtException e) {
            VmDisks.deleteQuietly(disk);
            throw new InvalidVmSpecException(spec.vmId(), "host '" + host + "' refused to " + operation + " VM '"
                    + spec.vmId() + "': " + LibvirtErrors.message(e) + "; if a domain named '" + def.domainName()
                    + "' exists that DeskMesh did not create, remove it or use another VM id");
        } catch (RuntimeException e) {
            VmDisks.deleteQuietly(disk);
            throw e;
        }
        return handle(def);
    }

    private Optional<String> nicNetwork(Connect c, VmSpec spec, NicMode mode) throws LibvirtException {
        if (mode == NicMode.NONE) {
            return Optional.empty();
        }
        Network network;
        try {
            network = c.networkLookupByName(spec.network());
        } catch (LibvirtException e) {
            if (mode == NicMode.AUTO && !LibvirtErrors.isConnectionFault(e)) {
                return Optional.empty();  // no such network, or no network driver: the VM gets no NIC
            }
            throw new InvalidVmSpecException(spec.vmId(), "libvirt on host '" + host + "' has no usable network '"
                    + spec.network() + "' for VM '" + spec.vmId() + "' (" + LibvirtErrors.message(e)
                    + "); define it with 'virsh net-define' or configure the network as AUTO or NONE");
        }
        try {
            return mode == NicMode.LIBVIRT_NETWORK || network.isActive() == 1 ? Optional.of(spec.network())
                    : Optional.empty();
        } finally {
            network.free();
        }
    }

    private VmHandle sameOrConflict(Entry existing, VmSpec requested) {
        if (existing.def().spec().equals(requested)) {
            return handle(existing.def());
        }
        throw new VmAlreadyExistsException(host, requested.vmId(), existing.def().spec(), requested);
    }

    // ---- power -------------------------------------------------------------------------------

    /** A CRASHED domain may still be paused in memory; power it off so it really holds nothing. */
    private void releaseCrashed(Entry vm) {
        if (vm.state() == VmPowerState.CRASHED) {
            power.forceOff(vm.vmId());
        }
    }

    private Entry requireOff(Entry vm, String operation) {
        if (vm.state().poweredOn()) {
            throw new InvalidVmStateException(vm.vmId(), vm.state(), operation, POWER_OFF_FIRST);
        }
        releaseCrashed(vm);
        return vm;
    }

    // ---- helpers -----------------------------------------------------------------------------

    private Optional<Entry> find(String vmId) {
        return libvirt.request(null, "look up VM '" + vmId + "'", c -> catalog.find(c, vmId));
    }

    private Entry require(String vmId) {
        return find(vmId).orElseThrow(() -> new VmNotFoundException(host, vmId));
    }

    private HostResources resources() {
        return capacity.resources(libvirt.request(null, "read the host's capacity", Connect::nodeInfo));
    }

    private VmStatus statusOf(Entry vm) {
        VmSpec spec = vm.def().spec();
        return new VmStatus(spec.vmId(), spec.name(), vm.state(), spec.cpus(), spec.memoryMb(), spec.mac(),
                spec.network(), VmDisks.sizeOf(vm.def().disk()));
    }

    private static VmHandle handle(DomainDefinition def) {
        return new VmHandle(def.spec(), def.disk());
    }

    private static Void free(Domain domain) throws LibvirtException {
        domain.free();
        return null;
    }

    private <T> T admitted(Supplier<T> step) {
        admission.lock();
        try {
            return step.get();
        } finally {
            admission.unlock();
        }
    }

    private void requireOpen(String what) {
        if (libvirt.isClosed()) {
            throw new HostUnavailableException(host, "the libvirt driver for " + config.uri() + " is closed; cannot "
                    + what + "; create a new driver");
        }
    }

    private static String formatVersion(long version) {
        return (version / 1_000_000) + "." + (version / 1_000 % 1_000) + "." + (version % 1_000);
    }
}
