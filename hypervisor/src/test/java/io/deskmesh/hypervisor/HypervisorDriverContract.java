package io.deskmesh.hypervisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The behaviour every {@link HypervisorDriver} must show; a driver joins by extending this class
 * and supplying {@link #newDriver} and {@link #baseImage}. Not thread-safe (one instance per test).
 *
 * <p>Every VM a test defines gets an id starting with {@code ct-} and is destroyed and deleted
 * after the test, so a real host is left as it was found.
 */
public abstract class HypervisorDriverContract {
    protected static final String MISSING_ID = "ct-no-such-vm";
    private static final long MIB = 1024L * 1024L;

    @TempDir
    protected Path workDir;
    protected HypervisorDriver driver;
    protected Path base;
    private final Set<String> vmIds = new TreeSet<>();
    private final Set<MacAddress> macs = ConcurrentHashMap.newKeySet();

    /** A driver for an empty host (or one where no {@code ct-} VM exists) for one test. */
    protected abstract HypervisorDriver newDriver(Path workDir);

    /** A bootable base image the host of {@link #newDriver} can layer overlays on. */
    protected abstract Path baseImage(Path workDir);

    /** The network test VMs join; it must exist on the host. */
    protected String network() {
        return "default";
    }

    /** How long a started VM may report STARTING before it must be RUNNING. */
    protected Duration startTimeout() {
        return Duration.ofSeconds(60);
    }

    @BeforeEach
    final void openDriver() {
        driver = newDriver(workDir);
        base = baseImage(workDir);
    }

    @AfterEach
    final void cleanUpAndClose() {
        try {
            for (String id : vmIds) {
                try {
                    driver.destroy(id);
                    driver.delete(id);
                } catch (DriverException e) {
                    // already gone, or the test closed the driver: nothing left to clean here
                }
            }
        } finally {
            driver.close();
        }
    }

    /** A small VM spec with a fresh MAC; the id is {@code ct-<suffix>}. */
    protected VmSpec spec(String suffix) {
        String id = "ct-" + suffix;
        vmIds.add(id);
        MacAddress mac = MacAllocator.DESKMESH.allocate(id, macs);
        macs.add(mac);
        return new VmSpec(id, "contract " + suffix, 1, 256, base, null, mac, network(), ConsoleProtocol.VNC);
    }

    /** Waits until the VM reports RUNNING, for drivers whose boots take time. */
    protected VmStatus awaitRunning(String vmId) throws InterruptedException {
        long deadline = System.nanoTime() + startTimeout().toNanos();
        while (true) {
            VmStatus status = driver.status(vmId).orElseThrow();
            if (status.state() == VmPowerState.RUNNING || System.nanoTime() > deadline) {
                return status;
            }
            Thread.sleep(50);
        }
    }

    private VmPowerState stateOf(String vmId) {
        return driver.status(vmId).map(VmStatus::state).orElseThrow();
    }

    private VmHandle defineAndCycle(VmSpec spec) throws InterruptedException {
        VmHandle handle = driver.define(spec);
        driver.start(spec.vmId());
        assertThat(awaitRunning(spec.vmId()).state()).isEqualTo(VmPowerState.RUNNING);
        driver.shutdown(spec.vmId(), Duration.ofSeconds(30));
        return handle;
    }

    @Test
    void fullLifecycleFromDefineToDelete() throws InterruptedException {
        VmSpec spec = spec("life");
        VmHandle handle = driver.define(spec);
        assertThat(handle.spec()).isEqualTo(spec);
        assertThat(stateOf(spec.vmId())).isEqualTo(VmPowerState.STOPPED);

        driver.start(spec.vmId());
        VmStatus running = awaitRunning(spec.vmId());
        assertThat(running.state()).isEqualTo(VmPowerState.RUNNING);
        assertThat(running.mac()).isEqualTo(spec.mac());
        Optional<ConsoleAddress> console = driver.console(spec.vmId());
        assertThat(console).hasValueSatisfying(c -> {
            assertThat(c.protocol()).isEqualTo(ConsoleProtocol.VNC);
            assertThat(c.port()).isBetween(1, 65_535);
        });

        driver.shutdown(spec.vmId(), Duration.ofSeconds(30));
        assertThat(stateOf(spec.vmId())).isEqualTo(VmPowerState.STOPPED);
        assertThat(driver.console(spec.vmId())).isEmpty();

        VmHandle modified = driver.modify(spec.vmId(), 2, 512);
        assertThat(modified.spec()).isEqualTo(spec.withResources(2, 512));
        assertThat(driver.status(spec.vmId())).hasValueSatisfying(s -> {
            assertThat(s.cpus()).isEqualTo(2);
            assertThat(s.memoryMb()).isEqualTo(512);
        });

        driver.start(spec.vmId());
        assertThat(awaitRunning(spec.vmId()).state()).isEqualTo(VmPowerState.RUNNING);
        driver.destroy(spec.vmId());
        assertThat(stateOf(spec.vmId())).isEqualTo(VmPowerState.STOPPED);

        driver.delete(spec.vmId());
        assertThat(driver.status(spec.vmId())).isEmpty();
        assertThat(driver.list()).extracting(VmStatus::vmId).doesNotContain(spec.vmId());
        assertThat(handle.disk().getFileName().toString()).contains(spec.vmId());
    }

    @Test
    void defineIsIdempotentForAnIdenticalSpec() {
        VmSpec spec = spec("same");
        VmHandle first = driver.define(spec);
        VmHandle second = driver.define(spec);
        assertThat(second).isEqualTo(first);
        assertThat(driver.list()).extracting(VmStatus::vmId).containsOnlyOnce(spec.vmId());
    }

    @Test
    void defineRefusesADifferentSpecUnderAnExistingId() {
        VmSpec spec = spec("conflict");
        driver.define(spec);
        assertThatThrownBy(() -> driver.define(spec.withResources(2, 256)))
                .isInstanceOfSatisfying(VmAlreadyExistsException.class,
                        e -> assertThat(e.vmId()).isEqualTo(spec.vmId()))
                .hasMessageContaining(spec.vmId());
        assertThat(driver.status(spec.vmId())).hasValueSatisfying(s -> assertThat(s.cpus()).isEqualTo(1));
    }

    @Test
    void defineRefusesAMacAlreadyUsedOnTheHost() {
        VmSpec first = spec("mac-a");
        driver.define(first);
        VmSpec second = spec("mac-b");
        VmSpec clash = new VmSpec(second.vmId(), second.name(), 1, 256, base, null, first.mac(), network(),
                ConsoleProtocol.VNC);
        assertThatThrownBy(() -> driver.define(clash))
                .isInstanceOf(InvalidVmSpecException.class)
                .hasMessageContaining(first.mac().toString());
        assertThat(driver.status(second.vmId())).isEmpty();
    }

    @Test
    void defineRefusesAnUnknownNetwork() {
        VmSpec ok = spec("net");
        VmSpec bad = new VmSpec(ok.vmId(), ok.name(), 1, 256, base, null, ok.mac(), "ct-no-such-network",
                ConsoleProtocol.VNC);
        assertThatThrownBy(() -> driver.define(bad))
                .isInstanceOf(InvalidVmSpecException.class)
                .hasMessageContaining("ct-no-such-network");
        assertThat(driver.status(ok.vmId())).isEmpty();
    }

    @Test
    void definePutsTheDiskInTheRequestedDirectory() throws Exception {
        Path owner = Files.createDirectories(workDir.resolve("owner"));
        VmSpec plain = spec("owned");
        VmSpec spec = new VmSpec(plain.vmId(), plain.name(), 1, 256, base, owner, plain.mac(), network(),
                ConsoleProtocol.SPICE);
        VmHandle handle = driver.define(spec);
        assertThat(handle.disk().getParent()).isEqualTo(owner);
    }

    @Test
    void definitionIsTheSpecAsDefinedAndModified() {
        assertThat(driver.definition(MISSING_ID)).isEmpty();
        VmSpec spec = spec("def");
        driver.define(spec);
        assertThat(driver.definition(spec.vmId())).contains(spec);
        driver.modify(spec.vmId(), 2, 512);
        assertThat(driver.definition(spec.vmId())).contains(spec.withResources(2, 512));
        driver.delete(spec.vmId());
        assertThat(driver.definition(spec.vmId())).isEmpty();
    }

    @Test
    void deleteIsIdempotent() {
        driver.delete(MISSING_ID);
        VmSpec spec = spec("del");
        driver.define(spec);
        driver.delete(spec.vmId());
        driver.delete(spec.vmId());
        assertThat(driver.status(spec.vmId())).isEmpty();
    }

    @Test
    void deleteIsRefusedWhilePoweredOn() {
        VmSpec spec = spec("del-on");
        driver.define(spec);
        driver.start(spec.vmId());
        assertThatThrownBy(() -> driver.delete(spec.vmId()))
                .isInstanceOfSatisfying(InvalidVmStateException.class,
                        e -> assertThat(e.actual().poweredOn()).isTrue())
                .hasMessageContaining(spec.vmId());
        assertThat(driver.status(spec.vmId())).isPresent();
    }

    @Test
    void repeatedPowerCallsAreNoOps() throws InterruptedException {
        VmSpec spec = spec("idem");
        driver.define(spec);
        driver.shutdown(spec.vmId(), Duration.ZERO);
        driver.destroy(spec.vmId());
        assertThat(stateOf(spec.vmId())).isEqualTo(VmPowerState.STOPPED);
        driver.start(spec.vmId());
        driver.start(spec.vmId());
        assertThat(awaitRunning(spec.vmId()).state()).isEqualTo(VmPowerState.RUNNING);
    }

    @Test
    void modifyWhileRunningIsRefusedWithTheTypedError() throws InterruptedException {
        VmSpec spec = spec("mod-run");
        driver.define(spec);
        driver.start(spec.vmId());
        awaitRunning(spec.vmId());
        assertThatThrownBy(() -> driver.modify(spec.vmId(), 2, 512))
                .isInstanceOfSatisfying(InvalidVmStateException.class, e -> {
                    assertThat(e.vmId()).isEqualTo(spec.vmId());
                    assertThat(e.actual()).isEqualTo(VmPowerState.RUNNING);
                    assertThat(e.operation()).isEqualTo("modify");
                })
                .hasMessageContaining(spec.vmId());
        assertThat(driver.status(spec.vmId())).hasValueSatisfying(s -> assertThat(s.memoryMb()).isEqualTo(256));
    }

    @Test
    void modifyRefusesAVmLargerThanTheHost() {
        VmSpec spec = spec("mod-big");
        driver.define(spec);
        long tooMuch = driver.host().total().memoryMb() + 1;
        assertThatThrownBy(() -> driver.modify(spec.vmId(), 1, tooMuch))
                .isInstanceOfSatisfying(InsufficientCapacityException.class,
                        e -> assertThat(e.requested()).isEqualTo(tooMuch))
                .hasMessageContaining(Long.toString(tooMuch));
    }

    @Test
    void cloneCopiesAStoppedSourceIntoANewVm() throws InterruptedException {
        VmSpec source = spec("src");
        VmHandle sourceHandle = defineAndCycle(source);
        long written = driver.status(source.vmId()).orElseThrow().diskAllocatedBytes();
        VmSpec target = source.copyAs("ct-copy", "copy", MacAllocator.DESKMESH.allocate("ct-copy", macs));
        vmIds.add(target.vmId());

        VmHandle copy = driver.clone(source.vmId(), target);
        assertThat(copy.spec()).isEqualTo(target);
        assertThat(copy.disk()).isNotEqualTo(sourceHandle.disk());
        assertThat(driver.clone(source.vmId(), target)).isEqualTo(copy);
        assertThat(driver.status(target.vmId())).hasValueSatisfying(s -> {
            assertThat(s.state()).isEqualTo(VmPowerState.STOPPED);
            assertThat(s.mac()).isEqualTo(target.mac());
            assertThat(s.diskAllocatedBytes()).isEqualTo(written);
        });
        driver.start(target.vmId());
        assertThat(awaitRunning(target.vmId()).state()).isEqualTo(VmPowerState.RUNNING);
        assertThat(stateOf(source.vmId())).isEqualTo(VmPowerState.STOPPED);
    }

    @Test
    void cloneRefusesARunningSourceAndAForeignBaseImage() throws InterruptedException {
        VmSpec source = spec("src-on");
        driver.define(source);
        VmSpec target = spec("copy-on");
        VmSpec foreign = new VmSpec(target.vmId(), target.name(), 1, 256, workDir.resolve("other.qcow2"), null,
                target.mac(), network(), ConsoleProtocol.VNC);
        assertThatThrownBy(() -> driver.clone(source.vmId(), foreign))
                .isInstanceOf(InvalidVmSpecException.class)
                .hasMessageContaining("other.qcow2");

        driver.start(source.vmId());
        awaitRunning(source.vmId());
        assertThatThrownBy(() -> driver.clone(source.vmId(), target))
                .isInstanceOfSatisfying(InvalidVmStateException.class,
                        e -> assertThat(e.vmId()).isEqualTo(source.vmId()));
        assertThat(driver.status(target.vmId())).isEmpty();
    }

    @Test
    void regenerateResetsTheDiskToAFreshOverlay() throws InterruptedException {
        VmSpec spec = spec("regen");
        driver.define(spec);
        long fresh = driver.status(spec.vmId()).orElseThrow().diskAllocatedBytes();
        driver.start(spec.vmId());
        awaitRunning(spec.vmId());
        assertThatThrownBy(() -> driver.regenerate(spec.vmId())).isInstanceOf(InvalidVmStateException.class);
        driver.shutdown(spec.vmId(), Duration.ofSeconds(30));
        assertThat(driver.status(spec.vmId()).orElseThrow().diskAllocatedBytes()).isGreaterThanOrEqualTo(fresh);

        driver.regenerate(spec.vmId());
        assertThat(driver.status(spec.vmId())).hasValueSatisfying(s -> {
            assertThat(s.state()).isEqualTo(VmPowerState.STOPPED);
            assertThat(s.diskAllocatedBytes()).isEqualTo(fresh);
            assertThat(s.mac()).isEqualTo(spec.mac());
        });
        driver.start(spec.vmId());
        assertThat(awaitRunning(spec.vmId()).state()).isEqualTo(VmPowerState.RUNNING);
    }

    static Stream<Arguments> operationsOnAVm() {
        Path anyImage = Path.of("base.qcow2");
        VmSpec target = new VmSpec("ct-target", "target", 1, 256, anyImage, null,
                MacAllocator.DESKMESH.preferred("ct-target"), "default", ConsoleProtocol.VNC);
        return Stream.of(
                Arguments.of("start", (Consumer<HypervisorDriver>) d -> d.start(MISSING_ID)),
                Arguments.of("shutdown", (Consumer<HypervisorDriver>) d -> d.shutdown(MISSING_ID, Duration.ZERO)),
                Arguments.of("destroy", (Consumer<HypervisorDriver>) d -> d.destroy(MISSING_ID)),
                Arguments.of("modify", (Consumer<HypervisorDriver>) d -> d.modify(MISSING_ID, 1, 256)),
                Arguments.of("regenerate", (Consumer<HypervisorDriver>) d -> d.regenerate(MISSING_ID)),
                Arguments.of("console", (Consumer<HypervisorDriver>) d -> d.console(MISSING_ID)),
                Arguments.of("clone", (Consumer<HypervisorDriver>) d -> d.clone(MISSING_ID, target)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("operationsOnAVm")
    void unknownVmIdIsVmNotFoundNamingTheId(String operation, Consumer<HypervisorDriver> call) {
        assertThatThrownBy(() -> call.accept(driver))
                .as(operation)
                .isInstanceOfSatisfying(VmNotFoundException.class, e -> assertThat(e.vmId()).isEqualTo(MISSING_ID))
                .hasMessageContaining(MISSING_ID);
        assertThat(driver.status(MISSING_ID)).isEmpty();
    }

    @Test
    void hostCapacityIsPositiveAndFreeMemoryTracksPoweredOnVms() throws InterruptedException {
        HostInfo before = driver.host();
        assertThat(before.total().cpus()).isPositive();
        assertThat(before.total().memoryMb()).isPositive();
        assertThat(before.total().diskMb()).isPositive();
        assertThat(before.hypervisorKind()).isNotBlank();
        assertFreeMemoryMatchesPoweredOnVms(before);

        VmSpec spec = spec("cap");
        driver.define(spec);
        driver.start(spec.vmId());
        awaitRunning(spec.vmId());
        HostInfo after = driver.host();
        assertFreeMemoryMatchesPoweredOnVms(after);
        assertThat(after.free().memoryMb()).isEqualTo(Math.max(0, before.free().memoryMb() - spec.memoryMb()));
        assertThat(after.free().cpus()).isBetween(0, after.total().cpus());

        driver.destroy(spec.vmId());
        assertThat(driver.host().free().memoryMb()).isEqualTo(before.free().memoryMb());
    }

    private void assertFreeMemoryMatchesPoweredOnVms(HostInfo host) {
        long poweredOn = driver.list().stream().filter(s -> s.state().poweredOn()).mapToLong(VmStatus::memoryMb).sum();
        assertThat(host.free().memoryMb()).isEqualTo(Math.max(0, host.total().memoryMb() - poweredOn));
    }

    @Test
    void storageReportsCapacityAndDefinedVmsDoNotFreeSpace() {
        StorageInfo before = driver.storage();
        assertThat(before.capacityBytes()).isPositive();
        assertThat(before.freeBytes()).isBetween(0L, before.capacityBytes());
        driver.define(spec("disk"));
        StorageInfo after = driver.storage();
        assertThat(after.capacityBytes()).isEqualTo(before.capacityBytes());
        assertThat(after.freeBytes()).isLessThanOrEqualTo(before.freeBytes());
        assertThat(driver.host().free().diskMb()).isLessThanOrEqualTo(driver.host().total().diskMb());
        assertThat(after.freeBytes() / MIB).isLessThanOrEqualTo(driver.host().total().diskMb());
    }

    @Test
    void listReportsEveryVmSortedByIdWithItsState() throws InterruptedException {
        VmSpec c = spec("list-c");
        VmSpec a = spec("list-a");
        VmSpec b = spec("list-b");
        for (VmSpec s : List.of(c, a, b)) {
            driver.define(s);
        }
        driver.start(b.vmId());
        awaitRunning(b.vmId());

        List<VmStatus> ours = driver.list().stream().filter(s -> s.vmId().startsWith("ct-list-")).toList();
        assertThat(ours).extracting(VmStatus::vmId).containsExactly(a.vmId(), b.vmId(), c.vmId());
        assertThat(ours).extracting(VmStatus::state)
                .containsExactly(VmPowerState.STOPPED, VmPowerState.RUNNING, VmPowerState.STOPPED);
        assertThat(ours).extracting(VmStatus::mac).containsExactly(a.mac(), b.mac(), c.mac());
        List<String> all = driver.list().stream().map(VmStatus::vmId).toList();
        assertThat(all).isSorted();
    }

    @Test
    void concurrentDefinesFromManyThreadsAllLand() throws Exception {
        List<VmSpec> specs = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            specs.add(spec("par-" + i));
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<VmHandle>> futures = new ArrayList<>();
            for (VmSpec s : specs) {
                futures.add(pool.submit(() -> driver.define(s)));
            }
            Set<String> defined = new HashSet<>();
            for (Future<VmHandle> f : futures) {
                defined.add(f.get().vmId());
            }
            assertThat(defined).hasSize(16);
        } finally {
            pool.shutdownNow();
        }
        assertThat(driver.list()).extracting(VmStatus::vmId)
                .containsAll(specs.stream().map(VmSpec::vmId).toList());
    }

    @Test
    void aClosedDriverRefusesCallsAsHostUnavailable() {
        driver.close();
        driver.close();
        assertThatThrownBy(() -> driver.status(MISSING_ID)).isInstanceOf(HostUnavailableException.class);
        assertThatThrownBy(() -> driver.list()).isInstanceOf(HostUnavailableException.class);
        assertThatThrownBy(() -> driver.define(spec("closed"))).isInstanceOf(HostUnavailableException.class);
    }
}
