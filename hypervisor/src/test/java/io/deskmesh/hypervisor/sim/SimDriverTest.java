package io.deskmesh.hypervisor.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.deskmesh.hypervisor.ConsoleAddress;
import io.deskmesh.hypervisor.ConsoleProtocol;
import io.deskmesh.hypervisor.HostUnavailableException;
import io.deskmesh.hypervisor.InsufficientCapacityException;
import io.deskmesh.hypervisor.InvalidVmStateException;
import io.deskmesh.hypervisor.MacAllocator;
import io.deskmesh.hypervisor.VmPowerState;
import io.deskmesh.hypervisor.VmSpec;
import io.deskmesh.hypervisor.VmStartFailedException;
import io.deskmesh.hypervisor.VmStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Sim-only behaviour: boot delay, fault injection, capacity refusals, console wiring. */
class SimDriverTest {
    private static final Path BASE = Path.of("/images/win11.qcow2");
    private static final long MIB = 1024L * 1024L;
    private final List<SimDriver> drivers = new ArrayList<>();

    @AfterEach
    void closeDrivers() {
        drivers.forEach(SimDriver::close);
    }

    private SimDriver sim(SimConfig.Builder config) {
        SimDriver driver = new SimDriver(config.build());
        drivers.add(driver);
        return driver;
    }

    private static VmSpec spec(String id, int cpus, long memoryMb) {
        return new VmSpec(id, id, cpus, memoryMb, BASE, null, MacAllocator.DESKMESH.preferred(id), "default",
                ConsoleProtocol.VNC);
    }

    private static VmPowerState stateOf(SimDriver driver, String vmId) {
        return driver.status(vmId).map(VmStatus::state).orElseThrow();
    }

    @Test
    void bootDelayKeepsAVmStartingUntilTheClockPassesIt() {
        ManualClock clock = new ManualClock(Instant.parse("2030-01-01T00:00:00Z"));
        SimDriver driver = sim(SimConfig.builder().clock(clock).bootTime(Duration.ofSeconds(30)).bootWritesMb(64));
        driver.attachConsoleServer(new RecordingConsoleServer());
        driver.define(spec("vm-1", 2, 2048));
        long freeBefore = driver.host().free().memoryMb();

        driver.start("vm-1");
        assertThat(stateOf(driver, "vm-1")).isEqualTo(VmPowerState.STARTING);
        assertThat(driver.host().free().memoryMb()).isEqualTo(freeBefore - 2048);
        assertThat(driver.console("vm-1")).isPresent();
        assertThatThrownBy(() -> driver.modify("vm-1", 1, 1024))
                .isInstanceOfSatisfying(InvalidVmStateException.class,
                        e -> assertThat(e.actual()).isEqualTo(VmPowerState.STARTING));

        clock.advance(Duration.ofSeconds(29));
        assertThat(stateOf(driver, "vm-1")).isEqualTo(VmPowerState.STARTING);
        assertThat(driver.status("vm-1").orElseThrow().diskAllocatedBytes()).isZero();
        clock.advance(Duration.ofSeconds(1));
        assertThat(driver.status("vm-1")).hasValueSatisfying(s -> {
            assertThat(s.state()).isEqualTo(VmPowerState.RUNNING);
            assertThat(s.diskAllocatedBytes()).isEqualTo(64 * MIB);
        });
    }

    @Test
    void failNextStartsFailsExactlyThatManyStartsAndLeavesTheVmOff() {
        SimDriver driver = sim(SimConfig.builder());
        driver.define(spec("vm-1", 1, 1024));
        long freeBefore = driver.host().free().memoryMb();
        driver.failNextStarts(2);
        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(() -> driver.start("vm-1"))
                    .isInstanceOfSatisfying(VmStartFailedException.class, e -> assertThat(e.vmId()).isEqualTo("vm-1"))
                    .hasMessageContaining("vm-1").hasMessageContaining("failNextStarts");
            assertThat(stateOf(driver, "vm-1")).isEqualTo(VmPowerState.STOPPED);
            assertThat(driver.host().free().memoryMb()).isEqualTo(freeBefore);
        }
        driver.start("vm-1");
        assertThat(stateOf(driver, "vm-1")).isEqualTo(VmPowerState.RUNNING);
    }

    @Test
    void startFailureProbabilityIsReproducibleFromTheSeed() {
        SimConfig.Builder config = SimConfig.builder().startFailureProbability(0.3).seed(42);
        List<Boolean> first = startOutcomes(sim(config), 200);
        List<Boolean> second = startOutcomes(sim(config), 200);
        assertThat(second).isEqualTo(first);
        long failures = first.stream().filter(ok -> !ok).count();
        assertThat(failures).isBetween(30L, 90L);
        assertThat(startOutcomes(sim(SimConfig.builder().startFailureProbability(1.0)), 5)).containsOnly(false);
    }

    private static List<Boolean> startOutcomes(SimDriver driver, int starts) {
        driver.define(spec("vm-1", 1, 1024));
        List<Boolean> outcomes = new ArrayList<>();
        for (int i = 0; i < starts; i++) {
            try {
                driver.start("vm-1");
                outcomes.add(true);
                driver.destroy("vm-1");
            } catch (VmStartFailedException e) {
                outcomes.add(false);
            }
        }
        return outcomes;
    }

    @Test
    void aHungHostTimesOutAsHostUnavailableAndRecoversOnUnhang() {
        SimDriver driver = sim(SimConfig.builder().hostName("h1").hangTimeout(Duration.ofMillis(20)));
        driver.define(spec("vm-1", 1, 1024));
        driver.hang();
        assertThatThrownBy(() -> driver.start("vm-1"))
                .isInstanceOfSatisfying(HostUnavailableException.class, e -> assertThat(e.host()).isEqualTo("h1"))
                .hasMessageContaining("hung").hasMessageContaining("start");
        driver.unhang();
        driver.start("vm-1");
        assertThat(stateOf(driver, "vm-1")).isEqualTo(VmPowerState.RUNNING);
    }

    @Test
    void aHungCallBlocksUntilUnhang() throws InterruptedException {
        SimDriver driver = sim(SimConfig.builder().hangTimeout(Duration.ofMinutes(5)));
        driver.define(spec("vm-1", 1, 1024));
        driver.hang();
        AtomicReference<List<VmStatus>> result = new AtomicReference<>();
        Thread caller = Thread.ofPlatform().start(() -> result.set(driver.list()));
        awaitBlocked(caller);
        assertThat(result.get()).isNull();

        driver.unhang();
        caller.join(TimeUnit.SECONDS.toMillis(30));
        assertThat(caller.isAlive()).isFalse();
        assertThat(result.get()).extracting(VmStatus::vmId).containsExactly("vm-1");
    }

    @Test
    void dyingReleasesHungCallersWithHostUnavailable() throws InterruptedException {
        SimDriver driver = sim(SimConfig.builder().hangTimeout(Duration.ofMinutes(5)));
        driver.hang();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread caller = Thread.ofPlatform().start(() -> {
            try {
                driver.host();
            } catch (RuntimeException e) {
                failure.set(e);
            }
        });
        awaitBlocked(caller);
        driver.die();
        caller.join(TimeUnit.SECONDS.toMillis(30));
        assertThat(failure.get()).isInstanceOf(HostUnavailableException.class).hasMessageContaining("down");
    }

    private static void awaitBlocked(Thread thread) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (thread.getState() != Thread.State.TIMED_WAITING && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(thread.getState()).isEqualTo(Thread.State.TIMED_WAITING);
    }

    @Test
    void aDeadHostLosesItsVmsAndRefusesEveryCallUntilRevived() {
        SimDriver driver = sim(SimConfig.builder().hostName("h2"));
        RecordingConsoleServer consoles = new RecordingConsoleServer();
        driver.attachConsoleServer(consoles);
        driver.define(spec("vm-1", 1, 1024));
        driver.start("vm-1");
        driver.console("vm-1");
        driver.die();

        assertThat(consoles.openConsoles()).isEmpty();
        assertThatThrownBy(driver::host).isInstanceOf(HostUnavailableException.class).hasMessageContaining("h2");
        assertThatThrownBy(driver::list).isInstanceOf(HostUnavailableException.class);
        assertThatThrownBy(() -> driver.delete("vm-1")).isInstanceOf(HostUnavailableException.class);
        assertThatThrownBy(() -> driver.define(spec("vm-2", 1, 1024))).isInstanceOf(HostUnavailableException.class);

        driver.revive();
        assertThat(driver.list()).isEmpty();
        driver.define(spec("vm-2", 1, 1024));
        assertThat(driver.list()).extracting(VmStatus::vmId).containsExactly("vm-2");
    }

    @Test
    void rebootKeepsVmsButPowersThemOff() {
        SimDriver driver = sim(SimConfig.builder());
        driver.define(spec("vm-1", 1, 1024));
        driver.define(spec("vm-2", 1, 1024));
        driver.start("vm-1");
        driver.reboot();
        assertThat(driver.list()).extracting(VmStatus::state).containsExactly(VmPowerState.STOPPED, VmPowerState.STOPPED);
        assertThat(driver.host().free().memoryMb()).isEqualTo(driver.host().total().memoryMb());
    }

    @Test
    void aCrashedVmReleasesMemoryAndCanBeStartedOrDestroyed() {
        SimDriver driver = sim(SimConfig.builder());
        driver.attachConsoleServer(new RecordingConsoleServer());
        driver.define(spec("vm-1", 1, 1024));
        driver.start("vm-1");
        driver.crash("vm-1");
        assertThat(stateOf(driver, "vm-1")).isEqualTo(VmPowerState.CRASHED);
        assertThat(driver.console("vm-1")).isEmpty();
        assertThat(driver.host().free().memoryMb()).isEqualTo(driver.host().total().memoryMb());
        driver.start("vm-1");
        assertThat(stateOf(driver, "vm-1")).isEqualTo(VmPowerState.RUNNING);
        driver.crash("vm-1");
        driver.destroy("vm-1");
        assertThat(stateOf(driver, "vm-1")).isEqualTo(VmPowerState.STOPPED);
    }

    @Test
    void startIsRefusedWhenMemoryDoesNotFitWithTheNumbers() {
        SimDriver driver = sim(SimConfig.builder().hostName("small").capacity(4, 4096, 10_240));
        driver.define(spec("vm-1", 1, 3000));
        driver.define(spec("vm-2", 1, 2000));
        driver.start("vm-1");
        assertThatThrownBy(() -> driver.start("vm-2"))
                .isInstanceOfSatisfying(InsufficientCapacityException.class, e -> {
                    assertThat(e.requested()).isEqualTo(2000);
                    assertThat(e.available()).isEqualTo(1096);
                })
                .hasMessageContaining("vm-2").hasMessageContaining("small").hasMessageContaining("4096");
        assertThat(stateOf(driver, "vm-2")).isEqualTo(VmPowerState.STOPPED);
        driver.shutdown("vm-1", Duration.ZERO);
        driver.start("vm-2");
        assertThat(stateOf(driver, "vm-2")).isEqualTo(VmPowerState.RUNNING);
    }

    @Test
    void startIsRefusedPastTheVcpuOvercommitLimit() {
        SimDriver driver = sim(SimConfig.builder().capacity(1, 8192, 10_240).vcpusPerCore(2));
        driver.define(spec("vm-1", 2, 512));
        driver.define(spec("vm-2", 1, 512));
        driver.start("vm-1");
        assertThat(driver.host().free().cpus()).isZero();
        assertThatThrownBy(() -> driver.start("vm-2"))
                .isInstanceOfSatisfying(InsufficientCapacityException.class, e -> assertThat(e.available()).isZero())
                .hasMessageContaining("vCPUs");
    }

    @Test
    void defineIsRefusedForAVmTheHostCouldNeverRunOrHasNoDiskFor() {
        SimDriver driver = sim(SimConfig.builder().capacity(2, 4096, 2048).overlayReserveMb(1024));
        assertThatThrownBy(() -> driver.define(spec("huge", 1, 8192)))
                .isInstanceOf(InsufficientCapacityException.class).hasMessageContaining("8192");
        driver.define(spec("vm-1", 1, 512));
        driver.define(spec("vm-2", 1, 512));
        assertThat(driver.storage().freeBytes()).isZero();
        assertThatThrownBy(() -> driver.define(spec("vm-3", 1, 512)))
                .isInstanceOfSatisfying(InsufficientCapacityException.class, e -> {
                    assertThat(e.requested()).isEqualTo(1024);
                    assertThat(e.available()).isZero();
                })
                .hasMessageContaining("disk");
        driver.delete("vm-1");
        driver.define(spec("vm-3", 1, 512));
        assertThat(driver.list()).extracting(VmStatus::vmId).containsExactly("vm-2", "vm-3");
    }

    @Test
    void diskAccountingFollowsOverlayGrowthAndClones() {
        SimDriver driver = sim(SimConfig.builder().capacity(2, 4096, 10_240).overlayReserveMb(100).bootWritesMb(300));
        driver.define(spec("vm-1", 1, 512));
        assertThat(driver.storage().freeBytes()).isEqualTo((10_240 - 100) * MIB);
        driver.start("vm-1");
        driver.shutdown("vm-1", Duration.ZERO);
        assertThat(driver.storage().freeBytes()).isEqualTo((10_240 - 300) * MIB);
        driver.clone("vm-1", spec("vm-1", 1, 512).copyAs("vm-2", "vm-2", MacAllocator.DESKMESH.preferred("vm-2")));
        assertThat(driver.storage().freeBytes()).isEqualTo((10_240 - 600) * MIB);
        driver.regenerate("vm-1");
        assertThat(driver.status("vm-1").orElseThrow().diskAllocatedBytes()).isZero();
        assertThat(driver.storage().freeBytes()).isEqualTo((10_240 - 400) * MIB);
        assertThat(driver.host().free().diskMb()).isEqualTo(10_240 - 400);
    }

    @Test
    void consoleIsEmptyWithoutAServerAndClosedWhenTheVmStops() {
        SimDriver driver = sim(SimConfig.builder().hostName("h3"));
        driver.define(spec("vm-1", 1, 512));
        driver.start("vm-1");
        assertThat(driver.console("vm-1")).isEmpty();

        RecordingConsoleServer consoles = new RecordingConsoleServer();
        driver.attachConsoleServer(consoles);
        ConsoleAddress address = driver.console("vm-1").orElseThrow();
        assertThat(address).isEqualTo(new ConsoleAddress(ConsoleProtocol.VNC, "127.0.0.1", 5900));
        assertThat(driver.console("vm-1")).contains(address);
        assertThat(consoles.openConsoles()).containsOnlyKeys("h3/vm-1");

        driver.shutdown("vm-1", Duration.ofSeconds(5));
        assertThat(consoles.openConsoles()).isEmpty();
        driver.start("vm-1");
        driver.console("vm-1");
        driver.detachConsoleServer();
        assertThat(consoles.openConsoles()).isEmpty();
        assertThat(driver.console("vm-1")).isEmpty();
    }

    @Test
    void closingTheDriverClosesItsConsolesAndRefusesLaterCalls() {
        SimDriver driver = sim(SimConfig.builder().hostName("h5"));
        RecordingConsoleServer consoles = new RecordingConsoleServer();
        driver.attachConsoleServer(consoles);
        driver.define(spec("vm-1", 1, 512));
        driver.start("vm-1");
        driver.console("vm-1");
        assertThat(consoles.openConsoles()).containsOnlyKeys("h5/vm-1");
        driver.close();
        assertThat(consoles.openConsoles()).isEmpty();
        assertThatThrownBy(() -> driver.status("vm-1"))
                .isInstanceOf(HostUnavailableException.class).hasMessageContaining("closed");
        driver.revive();
        assertThatThrownBy(driver::list).isInstanceOf(HostUnavailableException.class);
    }

    @Test
    void hostInfoNamesTheSimAndDisksLandInTheStorageRoot() {
        SimDriver driver = sim(SimConfig.builder().hostName("h4").storageRoot(Path.of("/srv/sim/h4")));
        assertThat(driver.host().hostName()).isEqualTo("h4");
        assertThat(driver.host().hypervisorKind()).isEqualTo(SimDriver.KIND);
        assertThat(driver.define(spec("vm-1", 1, 512)).disk()).isEqualTo(Path.of("/srv/sim/h4/vm-1.qcow2"));
        assertThat(driver.storage().location()).isEqualTo("/srv/sim/h4");
    }

    @Test
    void manyHostsWithBootingVmsStartNoThreads() {
        ManualClock clock = new ManualClock(Instant.EPOCH);
        int threadsBefore = Thread.activeCount();
        for (int h = 0; h < 50; h++) {
            SimDriver driver = sim(SimConfig.builder().hostName("h" + h).clock(clock).bootTime(Duration.ofMinutes(1)));
            for (int v = 0; v < 20; v++) {
                String id = "h" + h + "-vm" + v;
                driver.define(spec(id, 1, 512));
                driver.start(id);
            }
        }
        assertThat(Thread.activeCount()).isEqualTo(threadsBefore);
        clock.advance(Duration.ofMinutes(1));
        assertThat(drivers).allSatisfy(d -> assertThat(d.list()).extracting(VmStatus::state)
                .containsOnly(VmPowerState.RUNNING));
    }

    @Test
    void configRejectsNonsenseWithTheValue() {
        assertThatThrownBy(() -> SimConfig.builder().bootTime(Duration.ofSeconds(-1)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT-1S");
        assertThatThrownBy(() -> SimConfig.builder().startFailureProbability(1.5).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1.5");
        assertThatThrownBy(() -> new SimDriver(SimConfig.named("x")).failNextStarts(-1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-1");
    }
}
