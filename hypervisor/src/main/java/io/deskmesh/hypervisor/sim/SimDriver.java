package io.deskmesh.hypervisor.sim;

import io.deskmesh.hypervisor.ConsoleAddress;
import io.deskmesh.hypervisor.HostInfo;
import io.deskmesh.hypervisor.HypervisorDriver;
import io.deskmesh.hypervisor.InvalidVmSpecException;
import io.deskmesh.hypervisor.InvalidVmStateException;
import io.deskmesh.hypervisor.StorageInfo;
import io.deskmesh.hypervisor.VmAlreadyExistsException;
import io.deskmesh.hypervisor.VmHandle;
import io.deskmesh.hypervisor.VmNotFoundException;
import io.deskmesh.hypervisor.VmPowerState;
import io.deskmesh.hypervisor.VmSpec;
import io.deskmesh.hypervisor.VmStartFailedException;
import io.deskmesh.hypervisor.VmStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;

/**
 * A simulated hypervisor host living in this JVM, with fault injection; thread-safe (one lock
 * per host guards all of its state).
 *
 * <p><b>Capacity policy</b> (see {@code SimCapacity}). Memory and vCPUs are charged only while
 * a VM is powered on, as on a KVM host: {@link #start} refuses a VM whose memory does not fit
 * beside the powered-on VMs, or whose vCPUs would pass {@code cpus * vcpusPerCore}.
 * {@link #define} and {@link #modify} refuse a VM that could not run even on the empty host.
 * Every defined VM charges disk: the larger of {@code overlayReserveMb} and what its overlay
 * holds; define and clone refuse when that does not fit. Base images are not counted.
 *
 * <p><b>Cost.</b> No threads and no timers. A started VM records when its boot ends on the
 * configured clock, and whichever call next looks at it moves it to RUNNING, so time only
 * matters when someone asks. A VM costs one small object; the host costs a lock and a map.
 *
 * <p><b>Faults.</b> {@link #failNextStarts}, the seeded {@code startFailureProbability},
 * {@link #crash}, {@link #hang}/{@link #unhang}, {@link #die}/{@link #revive} and
 * {@link #reboot}. Guests always honour a graceful shutdown at once.
 *
 * <p><b>Console.</b> Only with a {@link SimConsoleServer} attached does {@link #console} report
 * a loopback address; without one it is empty, never a made-up port.
 */
public final class SimDriver implements HypervisorDriver {
    /** {@link HostInfo#hypervisorKind()} of every sim host. */
    public static final String KIND = "sim";
    /** {@link HostInfo#hypervisorVersion()} of every sim host. */
    public static final String VERSION = "1";
    private static final String LOOPBACK = "127.0.0.1";
    private static final String POWER_OFF_FIRST = "power it off first with shutdown() or destroy()";

    private final SimConfig config;
    private final String host;
    private final SimCapacity capacity;
    private final SimGate gate;
    private final Map<String, SimVm> vms = new HashMap<>();
    private final Random random;
    private SimConsoleServer consoleServer;
    private int failNextStarts;

    public SimDriver(SimConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        this.host = config.hostName();
        this.random = new Random(config.seed());
        this.capacity = new SimCapacity(config);
        this.gate = new SimGate(host, config.hangTimeout());
    }

    public SimConfig config() {
        return config;
    }

    @Override
    public HostInfo host() {
        return gate.call("host", () -> capacity.hostInfo(usage()));
    }

    @Override
    public StorageInfo storage() {
        return gate.call("storage", () -> capacity.storageInfo(usage()));
    }

    @Override
    public VmHandle define(VmSpec spec) {
        Objects.requireNonNull(spec, "spec");
        return gate.call("define", () -> {
            SimVm existing = vms.get(spec.vmId());
            if (existing != null) {
                return sameOrConflict(existing, spec);
            }
            checkAcceptable(spec, "define");
            capacity.checkDisk(spec.vmId(), "define", 0, usage());
            SimVm vm = new SimVm(spec, 0);
            vms.put(spec.vmId(), vm);
            return handle(vm);
        });
    }

    @Override
    public VmHandle clone(String sourceVmId, VmSpec target) {
        Objects.requireNonNull(target, "target");
        return gate.call("clone", () -> {
            SimVm existing = vms.get(target.vmId());
            if (existing != null) {
                return sameOrConflict(existing, target);
            }
            SimVm source = require(sourceVmId);
            if (source.state.poweredOn()) {
                throw new InvalidVmStateException(sourceVmId, source.state, "clone",
                        "a clone copies a quiescent disk; " + POWER_OFF_FIRST);
            }
            if (!target.baseImage().equals(source.spec.baseImage())) {
                throw new InvalidVmSpecException(target.vmId(), "clone '" + target.vmId() + "' names base image "
                        + target.baseImage() + " but its source '" + sourceVmId + "' is layered on "
                        + source.spec.baseImage() + "; pass the source's base image or define the VM instead");
            }
            checkAcceptable(target, "clone");
            capacity.checkDisk(target.vmId(), "clone", source.allocatedBytes, usage());
            SimVm vm = new SimVm(target, source.allocatedBytes);
            vms.put(target.vmId(), vm);
            return handle(vm);
        });
    }

    @Override
    public void start(String vmId) {
        gate.call("start", () -> {
            SimVm vm = require(vmId);
            if (vm.state.poweredOn()) {
                return null;
            }
            capacity.checkRoomToStart(vm.spec, usage());
            failIfInjected(vmId);
            if (config.bootTime().isZero()) {
                vm.finishBoot(bootWritesBytes());
            } else {
                vm.state = VmPowerState.STARTING;
                vm.bootEndsAtMillis = config.clock().millis() + config.bootTime().toMillis();
            }
            return null;
        });
    }

    @Override
    public void shutdown(String vmId, Duration grace) {
        Objects.requireNonNull(grace, "grace");
        if (grace.isNegative()) {
            throw new IllegalArgumentException("shutdown grace " + grace + " for VM '" + vmId
                    + "' is negative; pass Duration.ZERO to force at once");
        }
        gate.call("shutdown", () -> powerOff(require(vmId)));
    }

    @Override
    public void destroy(String vmId) {
        gate.call("destroy", () -> powerOff(require(vmId)));
    }

    @Override
    public void delete(String vmId) {
        gate.call("delete", () -> {
            SimVm vm = vms.get(vmId);
            if (vm == null) {
                return null;
            }
            settle(vm);
            if (vm.state.poweredOn()) {
                throw new InvalidVmStateException(vmId, vm.state, "delete", POWER_OFF_FIRST);
            }
            vms.remove(vmId);
            return null;
        });
    }

    @Override
    public VmHandle modify(String vmId, int cpus, long memoryMb) {
        return gate.call("modify", () -> {
            SimVm vm = require(vmId);
            if (vm.state.poweredOn()) {
                throw new InvalidVmStateException(vmId, vm.state, "modify", POWER_OFF_FIRST);
            }
            VmSpec changed;
            try {
                changed = vm.spec.withResources(cpus, memoryMb);
            } catch (IllegalArgumentException e) {
                throw new InvalidVmSpecException(vmId, e.getMessage());
            }
            capacity.checkFitsEmptyHost(changed, "modify");
            vm.spec = changed;
            return handle(vm);
        });
    }

    @Override
    public void regenerate(String vmId) {
        gate.call("regenerate", () -> {
            SimVm vm = require(vmId);
            if (vm.state.poweredOn()) {
                throw new InvalidVmStateException(vmId, vm.state, "regenerate",
                        "its guest still writes to the disk; " + POWER_OFF_FIRST);
            }
            vm.allocatedBytes = 0;
            vm.state = VmPowerState.STOPPED;
            return null;
        });
    }

    @Override
    public Optional<VmSpec> definition(String vmId) {
        return gate.call("definition", () -> Optional.ofNullable(vms.get(vmId)).map(vm -> vm.spec));
    }

    @Override
    public Optional<VmStatus> status(String vmId) {
        return gate.call("status", () -> {
            SimVm vm = vms.get(vmId);
            if (vm == null) {
                return Optional.empty();
            }
            settle(vm);
            return Optional.of(vm.toStatus());
        });
    }

    @Override
    public List<VmStatus> list() {
        return gate.call("list", () -> {
            List<VmStatus> out = new ArrayList<>(vms.size());
            for (SimVm vm : vms.values()) {
                settle(vm);
                out.add(vm.toStatus());
            }
            out.sort(Comparator.comparing(VmStatus::vmId));
            return List.copyOf(out);
        });
    }

    @Override
    public Optional<ConsoleAddress> console(String vmId) {
        return gate.call("console", () -> {
            SimVm vm = require(vmId);
            if (!vm.state.poweredOn() || consoleServer == null) {
                return Optional.empty();
            }
            int port = consoleServer.open(host, vmId, vm.spec.consoleProtocol());
            return Optional.of(new ConsoleAddress(vm.spec.consoleProtocol(), LOOPBACK, port));
        });
    }

    /** Discards the simulated host and its VMs; later calls throw HostUnavailableException. Idempotent. */
    @Override
    public void close() {
        gate.control(() -> {
            if (gate.close()) {
                dropAllVms();
            }
        });
    }

    // ---- fault injection and wiring -------------------------------------------------------

    /** Makes the next {@code count} starts that pass the capacity checks fail with VmStartFailedException. */
    public void failNextStarts(int count) {
        if (count < 0) {
            throw new IllegalArgumentException("failNextStarts(" + count + "): pass 0 or more");
        }
        gate.control(() -> failNextStarts = count);
    }

    /** Makes the VM's guest die: a powered-on VM becomes CRASHED and releases memory and vCPUs. */
    public void crash(String vmId) {
        gate.control(() -> {
            SimVm vm = require(vmId);
            if (vm.state.poweredOn()) {
                closeConsole(vmId);
                vm.state = VmPowerState.CRASHED;
            }
        });
    }

    /** Makes every driver call block until {@link #unhang()}, or fail after {@code hangTimeout}. */
    public void hang() {
        gate.control(() -> gate.hung(true));
    }

    /** Lets calls blocked by {@link #hang()} proceed. */
    public void unhang() {
        gate.control(() -> gate.hung(false));
    }

    /** Kills the host: its VMs are gone and every call throws HostUnavailableException until {@link #revive()}. */
    public void die() {
        gate.control(() -> {
            gate.dead(true);
            failNextStarts = 0;
            dropAllVms();
        });
    }

    /** Brings a dead or hung host back, empty of VMs if it had died. */
    public void revive() {
        gate.control(() -> {
            gate.dead(false);
            gate.hung(false);
        });
    }

    /** Power-cycles the host: every VM stays defined, with its disk, and ends STOPPED. */
    public void reboot() {
        gate.control(() -> {
            for (Map.Entry<String, SimVm> e : vms.entrySet()) {
                if (e.getValue().state.poweredOn()) {
                    closeConsole(e.getKey());
                }
                e.getValue().state = VmPowerState.STOPPED;
            }
        });
    }

    /** Makes {@link #console} report loopback ports opened by {@code server}. */
    public void attachConsoleServer(SimConsoleServer server) {
        Objects.requireNonNull(server, "server; call detachConsoleServer() to remove one");
        gate.control(() -> consoleServer = server);
    }

    /** Closes every open console on the attached server and stops reporting consoles. */
    public void detachConsoleServer() {
        gate.control(() -> {
            if (consoleServer != null) {
                vms.forEach((id, vm) -> {
                    if (vm.state.poweredOn()) {
                        consoleServer.close(host, id);
                    }
                });
            }
            consoleServer = null;
        });
    }

    // ---- internals ------------------------------------------------------------------------

    private SimVm require(String vmId) {
        SimVm vm = vms.get(vmId);
        if (vm == null) {
            throw new VmNotFoundException(host, vmId);
        }
        settle(vm);
        return vm;
    }

    private VmHandle sameOrConflict(SimVm existing, VmSpec requested) {
        if (!existing.spec.equals(requested)) {
            throw new VmAlreadyExistsException(host, requested.vmId(), existing.spec, requested);
        }
        return handle(existing);
    }

    private void settle(SimVm vm) {
        vm.settle(config.clock().millis(), bootWritesBytes());
    }

    private long bootWritesBytes() {
        return config.bootWritesMb() * SimCapacity.MIB;
    }

    private Void powerOff(SimVm vm) {
        if (vm.state.poweredOn()) {
            closeConsole(vm.spec.vmId());
        }
        vm.state = VmPowerState.STOPPED;
        return null;
    }

    private void closeConsole(String vmId) {
        if (consoleServer != null) {
            consoleServer.close(host, vmId);
        }
    }

    private void dropAllVms() {
        vms.forEach((id, vm) -> {
            if (vm.state.poweredOn()) {
                closeConsole(id);
            }
        });
        vms.clear();
    }

    private void failIfInjected(String vmId) {
        if (failNextStarts > 0) {
            failNextStarts--;
            throw new VmStartFailedException(vmId, "sim host '" + host + "' failed to start VM '" + vmId
                    + "' (fault injected with failNextStarts); it stays powered off, start it again");
        }
        double p = config.startFailureProbability();
        if (p > 0 && random.nextDouble() < p) {
            throw new VmStartFailedException(vmId, "sim host '" + host + "' failed to start VM '" + vmId
                    + "' (fault injected with probability " + p + ", seed " + config.seed()
                    + "); it stays powered off, start it again");
        }
    }

    private void checkAcceptable(VmSpec spec, String operation) {
        if (!config.networks().contains(spec.network())) {
            throw new InvalidVmSpecException(spec.vmId(), "sim host '" + host + "' has no network '" + spec.network()
                    + "' for VM '" + spec.vmId() + "'; use one of " + config.networks());
        }
        for (SimVm other : vms.values()) {
            if (other.spec.mac().equals(spec.mac())) {
                throw new InvalidVmSpecException(spec.vmId(), "MAC " + spec.mac() + " of VM '" + spec.vmId()
                        + "' is already used by VM '" + other.spec.vmId() + "' on sim host '" + host
                        + "'; allocate another with MacAllocator");
            }
        }
        capacity.checkFitsEmptyHost(spec, operation);
    }

    /** Settles every VM and sums what they hold. Lock held. */
    private SimCapacity.Usage usage() {
        long now = config.clock().millis();
        for (SimVm vm : vms.values()) {
            vm.settle(now, bootWritesBytes());
        }
        return capacity.usage(vms.values());
    }

    private VmHandle handle(SimVm vm) {
        VmSpec spec = vm.spec;
        var dir = spec.diskDirectory() != null ? spec.diskDirectory() : config.storageRoot();
        return new VmHandle(spec, dir.resolve(spec.vmId() + ".qcow2"));
    }
}
