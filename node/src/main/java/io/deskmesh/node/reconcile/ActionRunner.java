package io.deskmesh.node.reconcile;

import io.deskmesh.hypervisor.ConsoleProtocol;
import io.deskmesh.hypervisor.DriverException;
import io.deskmesh.hypervisor.HypervisorDriver;
import io.deskmesh.hypervisor.MacAddress;
import io.deskmesh.hypervisor.MacAllocator;
import io.deskmesh.hypervisor.VmNotFoundException;
import io.deskmesh.hypervisor.VmPowerState;
import io.deskmesh.hypervisor.VmSpec;
import io.deskmesh.hypervisor.VmStatus;
import io.deskmesh.model.command.*;
import io.deskmesh.model.image.ClusterImage;
import io.deskmesh.model.image.ImageRef;
import io.deskmesh.model.image.ImageVersionImage;
import io.deskmesh.model.image.ServerImage;
import io.deskmesh.model.image.TemplateImage;
import io.deskmesh.model.image.VmImage;
import io.deskmesh.model.plan.PlanAction;
import io.deskmesh.model.record.PoolKind;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Carries out one planned action on this node — through the hypervisor driver and the replica
 * store — and reports its outcome as commands. Every step is idempotent (the driver's calls are, and
 * the model ignores repeated reports), so running an action twice after a crash does no harm. A VM
 * the host cannot build or start is reported unhealthy so the planners replace it. Thread-safe.
 */
final class ActionRunner {
    private static final Logger LOG = LoggerFactory.getLogger(ActionRunner.class);
    static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(20);
    static final long SUBMIT_TIMEOUT_SECONDS = 30;

    private final String self;
    private final HypervisorDriver driver;
    private final ReplicaStore replicas;
    private final CommandGateway gateway;
    private final UserHomes homes;
    private final java.util.concurrent.ConcurrentHashMap<String, ReentrantLock> vmLocks =
            new java.util.concurrent.ConcurrentHashMap<>();

    /** @param homes where owned persistent desktops' disks live, or null for the driver's storage area */
    ActionRunner(String self, HypervisorDriver driver, ReplicaStore replicas, CommandGateway gateway, UserHomes homes) {
        this.self = self;
        this.driver = driver;
        this.replicas = replicas;
        this.gateway = gateway;
        this.homes = homes;
    }

    /** Runs the action against the image it was planned from. Throws when it should be retried later. */
    void run(ClusterImage image, PlanAction action) throws Exception {
        switch (action) {
            case PlanAction.FetchReplica a -> fetch(image, a.ref(), a.source(), true);
            case PlanAction.DropReplica a -> drop(a.ref());
            case PlanAction.AllocateVms a -> submit(new AllocateVmsCommand(a.template(), self, a.count()));
            case PlanAction.BuildVm a -> onVm(a.vmId(), () -> build(image, a.vmId()));
            case PlanAction.StartVm a -> onVm(a.vmId(), () -> start(image, a.vmId()));
            case PlanAction.StopVm a -> onVm(a.vmId(), () -> {
                driver.shutdown(a.vmId(), SHUTDOWN_GRACE);
                submit(new ReportVmStoppedCommand(a.vmId()));
            });
            case PlanAction.RegenerateVm a -> onVm(a.vmId(), () -> regenerate(image, a.vmId(), a.imageVersion()));
            case PlanAction.RetireVm a -> submit(new RetireVmCommand(a.vmId(), a.reason()));
            case PlanAction.DeleteVm a -> onVm(a.vmId(), () -> {
                powerOff(a.vmId());
                driver.delete(a.vmId());
                submit(new ReportVmDeletedCommand(a.vmId()));
                vmLocks.remove(a.vmId());
            });
        }
    }

    private interface VmStep {
        void run() throws Exception;
    }

    /**
     * Runs one step on a VM while no other step of this runner changes it: the host's preparer moves
     * a persistent desktop into its owner's home ({@link #placeForOwner}) while the planners may have
     * asked this runner to start the same VM, and a start between the move's delete and define
     * would find no VM.
     */
    private void onVm(String vmId, VmStep step) throws Exception {
        ReentrantLock lock = vmLocks.computeIfAbsent(vmId, id -> new ReentrantLock());
        lock.lock();
        try {
            step.run();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Fetches a version from a peer and records the result. {@code announce} records the transfer's
     * start first; a transfer resumed after a restart is already recorded.
     */
    void fetch(ClusterImage image, ImageRef ref, String source, boolean announce) throws Exception {
        ImageVersionImage version = image.images().version(ref).orElse(null);
        ServerImage peer = image.servers().get(source).orElse(null);
        if (version == null || peer == null) {
            return;
        }
        if (announce && !submit(new StartReplicaTransferCommand(ref.image(), ref.version(), self, source)).ok()) {
            return;
        }
        try {
            if (!replicas.has(ref)) {
                replicas.fetch(version, peer.address());
            }
        } catch (Exception e) {
            LOG.warn("fetching {} from {} ({}) failed: {}", ref, source, peer.address(), e.getMessage());
            submit(new FailReplicaTransferCommand(ref.image(), ref.version(), self, String.valueOf(e.getMessage())));
            return;
        }
        submit(new LandReplicaCommand(ref.image(), ref.version(), self));
    }

    private void drop(ImageRef ref) throws Exception {
        Reply r = submit(new RemoveReplicaCommand(ref.image(), ref.version(), self));
        if (r.ok()) {
            replicas.delete(ref);
            LOG.info("dropped this server's copy of {}: no VM here uses it and no plan needs it", ref);
        }
    }

    private void build(ClusterImage image, String vmId) throws Exception {
        VmImage vm = image.vms().get(vmId).orElse(null);
        TemplateImage t = vm == null ? null : image.templates().get(vm.template()).orElse(null);
        if (vm == null || t == null) {
            return;
        }
        ImageRef ref = new ImageRef(t.spec().baseImage(), vm.imageVersion());
        try {
            VmSpec spec = spec(image, vm, ref, Optional.empty());
            driver.define(spec);
            submit(new ReportVmCreatedCommand(vmId, spec.mac().toString()));
        } catch (DriverException | IllegalArgumentException e) {
            LOG.warn("building VM {} failed: {}", vmId, e.getMessage());
            submit(new MarkVmUnhealthyCommand(vmId, "build failed: " + e.getMessage()));
        }
    }

    private void start(ClusterImage image, String vmId) throws Exception {
        try {
            placeForOwner(image, vmId);
            driver.start(vmId);
            submit(new ReportVmStartedCommand(vmId));
        } catch (VmNotFoundException e) {
            submit(new MarkVmUnhealthyCommand(vmId, "not found on host '" + self + "'"));
        } catch (DriverException e) {
            if (e instanceof io.deskmesh.hypervisor.HostUnavailableException) {
                throw e;
            }
            LOG.warn("starting VM {} failed: {}", vmId, e.getMessage());
            submit(new MarkVmUnhealthyCommand(vmId, "start failed: " + e.getMessage()));
        }
    }

    private void regenerate(ClusterImage image, String vmId, int version) throws Exception {
        VmImage vm = image.vms().get(vmId).orElse(null);
        TemplateImage t = vm == null ? null : image.templates().get(vm.template()).orElse(null);
        if (vm == null || t == null) {
            return;
        }
        powerOff(vmId);
        if (vm.imageVersion() == version) {
            driver.regenerate(vmId);
        } else {
            // A new base image version: the overlay must sit on the new base, so define it anew.
            MacAddress mac = vm.mac().isEmpty() ? null : MacAddress.parse(vm.mac());
            driver.delete(vmId);
            driver.define(spec(image, vm, new ImageRef(t.spec().baseImage(), version), Optional.ofNullable(mac)));
        }
        submit(new ReportVmRegeneratedCommand(vmId, version));
    }

    /**
     * A persistent desktop is built in the pool area before anyone owns it; at its first assignment
     * (no session of its owner has used it yet) it is defined anew with its disk in the owner's home.
     */
    void placeForOwner(ClusterImage image, String vmId) throws Exception {
        onVm(vmId, () -> placeNow(image, vmId));
    }

    private void placeNow(ClusterImage image, String vmId) throws java.io.IOException {
        VmImage vm = image.vms().get(vmId).orElse(null);
        TemplateImage t = vm == null ? null : image.templates().get(vm.template()).orElse(null);
        Path home = t == null ? null : ownerHome(vm, t);
        VmSpec current = home == null ? null : driver.definition(vmId).orElse(null);
        if (current == null || home.equals(current.diskDirectory())) {
            return;
        }
        LOG.info("moving VM {} into the home of its owner '{}'", vmId, vm.owner());
        powerOff(vmId);
        driver.delete(vmId);
        driver.define(spec(image, vm, new ImageRef(t.spec().baseImage(), vm.imageVersion()), Optional.of(current.mac())));
    }

    /** The owner's home for an owned persistent desktop, made if needed; null for every other VM. */
    private Path ownerHome(VmImage vm, TemplateImage t) throws java.io.IOException {
        if (homes == null || vm.owner() == null || t.spec().pool() != PoolKind.PERSISTENT) {
            return null;
        }
        return homes.home(vm.owner());
    }

    /** The MACs of an image's VMs, collected once per image however many VMs are built from it. */
    private record MacsInUse(ClusterImage image, Set<MacAddress> macs) {
    }

    private volatile MacsInUse macsInUse;

    /**
     * The MACs the grid's VMs hold in {@code image}. Building one VM used to collect them afresh, so a
     * pool of N VMs built from one plan cost N² (the VM being built is told apart by the caller).
     */
    private Set<MacAddress> macsInUse(ClusterImage image) {
        MacsInUse m = macsInUse;
        if (m == null || m.image() != image) {
            Set<MacAddress> macs = new HashSet<>();
            for (VmImage other : image.vms().all()) {
                if (!other.mac().isEmpty()) {
                    macs.add(MacAddress.parse(other.mac()));
                }
            }
            m = new MacsInUse(image, Set.copyOf(macs));
            macsInUse = m;
        }
        return m.macs();
    }

    private VmSpec spec(ClusterImage image, VmImage vm, ImageRef ref, Optional<MacAddress> keep) {
        MacAddress mac = keep.orElseGet(() -> {
            Set<MacAddress> inUse = macsInUse(image);
            MacAddress own = vm.mac().isEmpty() ? null : MacAddress.parse(vm.mac());
            return MacAllocator.DESKMESH.allocate(vm.vmId(), (MacAddress m) -> !m.equals(own) && inUse.contains(m));
        });
        TemplateImage t = image.templates().get(vm.template()).orElse(null);
        Path home;
        try {
            home = t == null ? null : ownerHome(vm, t);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot prepare the home of '" + vm.owner() + "' for VM " + vm.vmId(), e);
        }
        return new VmSpec(vm.vmId(), vm.template() + " " + vm.vmId(), vm.cpus(), vm.memoryMb(), replicas.diskPath(ref),
                home, mac, "default", ConsoleProtocol.VNC);
    }

    /** Forces a VM off; one the host no longer has is off too. */
    private void powerOff(String vmId) {
        try {
            driver.destroy(vmId);
        } catch (VmNotFoundException e) {
            LOG.debug("VM {} is already gone from the host", vmId);
        }
    }

    /** Whether the host has the VM, asked once no step of this runner is changing it. */
    boolean onHostNow(String vmId) throws Exception {
        boolean[] present = new boolean[1];
        onVm(vmId, () -> present[0] = driver.status(vmId).isPresent());
        return present[0];
    }

    /** Whether the host reports the VM powered on. */
    boolean running(String vmId) {
        return driver.status(vmId).map(VmStatus::state).map(VmPowerState::poweredOn).orElse(false);
    }

    Reply submit(MeshCommand command) throws Exception {
        try {
            Reply r = gateway.submit(command).get(SUBMIT_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            if (r instanceof Reply.Failed f) {
                LOG.debug("{} refused: {} {}", command, f.code(), f.message());
            }
            return r;
        } catch (ExecutionException | CompletionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        } catch (TimeoutException e) {
            throw new TimeoutException("no answer from the grid within " + SUBMIT_TIMEOUT_SECONDS + " s for " + command);
        }
    }
}
