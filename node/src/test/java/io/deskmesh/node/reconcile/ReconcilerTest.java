package io.deskmesh.node.reconcile;

import io.deskmesh.hypervisor.VmStatus;
import io.deskmesh.hypervisor.sim.SimConfig;
import io.deskmesh.hypervisor.sim.SimDriver;
import io.deskmesh.model.command.*;
import io.deskmesh.model.image.ClusterImage;
import io.deskmesh.model.image.ImageRef;
import io.deskmesh.model.image.VmImage;
import io.deskmesh.model.plan.GridPlanner;
import io.deskmesh.model.record.Capacity;
import io.deskmesh.model.record.DesiredVms;
import io.deskmesh.model.record.PoolKind;
import io.deskmesh.model.record.TemplateSpec;
import io.deskmesh.model.record.VmState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two nodes, each with a reconciler over a sim host, share one in-memory log: from an admin's
 * template alone they spread the image, build, start and report VMs until the plan is empty, and
 * they repair what a host loses.
 */
class ReconcilerTest {
    private final InMemoryLog log = new InMemoryLog();
    private final Map<String, SimDriver> hosts = new TreeMap<>();
    private final Map<String, FakeReplicaStore> stores = new TreeMap<>();
    private final List<Reconciler> reconcilers = new ArrayList<>();
    /** The reconcilers' clock: real time plus what a test skips ahead (to reach the next host sync). */
    private final java.util.concurrent.atomic.AtomicLong skipped = new java.util.concurrent.atomic.AtomicLong();

    @BeforeEach
    void grid() {
        ok(new CreateGridCommand("g"));
        for (String name : List.of("s1", "s2")) {
            SimDriver host = new SimDriver(SimConfig.builder().hostName(name).capacity(16, 65_536, 1_000_000).build());
            FakeReplicaStore store = new FakeReplicaStore();
            hosts.put(name, host);
            stores.put(name, store);
            Reconciler r = new Reconciler(name, name + ":8443", host, store, log,
                    () -> System.currentTimeMillis() + skipped.get(), log::image, 2);
            reconcilers.add(r);
            log.listen(r::onImage);
            ok(new JoinServerCommand(name, "a", name + ":8443", new Capacity(16, 65_536, 1_000_000)));
        }
        stores.get("s1").held.add(new ImageRef("win", 1));
        ok(new RegisterImageVersionCommand("win", 1, 1L << 30, "a".repeat(64), 0, "s1"));
    }

    @AfterEach
    void close() {
        reconcilers.forEach(Reconciler::close);
        log.close();
    }

    @Test
    void nodesCarryOutThePlanUntilNothingIsLeft() {
        ok(new CreateTemplateCommand(new TemplateSpec("office", 2, 4096, "win", 0, PoolKind.NON_PERSISTENT,
                DesiredVms.of(6), 2, 2, 0, 0)));

        await(() -> GridPlanner.plan(log.image()).isEmpty() && idle(), "the plan to empty");

        ClusterImage image = log.image();
        assertThat(image.images().hasLanded(new ImageRef("win", 1), "s2")).as("image copied to s2").isTrue();
        assertThat(stores.get("s2").fetchedFrom).containsExactly("s1:8443");
        assertThat(image.vms().all()).hasSize(6).allSatisfy(vm ->
                assertThat(vm.state()).isIn(VmState.RUNNING, VmState.STOPPED));
        // Spare 2: nodes acting on slightly different images may start one extra, which the band (spare + 1) keeps.
        assertThat(image.vms().all().stream().filter(vm -> vm.state() == VmState.RUNNING).count()).isBetween(2L, 3L);
        for (VmImage vm : image.vms().all()) {
            VmStatus onHost = hosts.get(vm.server()).status(vm.vmId()).orElseThrow();
            assertThat(onHost.state().poweredOn()).as("host power of %s", vm.vmId()).isEqualTo(vm.state() == VmState.RUNNING);
            assertThat(onHost.mac().toString()).isEqualTo(vm.mac());
        }
        assertThat(image.vms().usage("s1").vms()).isEqualTo(3);
        assertThat(image.vms().usage("s2").vms()).isEqualTo(3);
    }

    @Test
    void aVmTheHostLostIsReplaced() {
        ok(new CreateTemplateCommand(new TemplateSpec("office", 2, 4096, "win", 0, PoolKind.NON_PERSISTENT,
                DesiredVms.of(2), 0, 1, 0, 0)));
        await(() -> GridPlanner.plan(log.image()).isEmpty() && idle(), "the pool to be built");
        VmImage victim = log.image().vms().all().iterator().next();
        SimDriver host = hosts.get(victim.server());
        host.destroy(victim.vmId());
        host.delete(victim.vmId());

        // The next periodic host sync notices: skip the clock past its interval and nudge the log.
        skipped.addAndGet(Reconciler.SYNC_INTERVAL_MS);
        ok(new ReportCapacityCommand(victim.server(), new Capacity(16, 65_536, 999_999)));
        await(() -> log.image().vms().get(victim.vmId()).isEmpty(), "the lost VM to be deleted from the grid");
        await(() -> GridPlanner.plan(log.image()).isEmpty() && idle(), "the pool to be rebuilt");
        assertThat(log.image().vms().all()).hasSize(2).noneMatch(vm -> vm.vmId().equals(victim.vmId()));
    }

    @Test
    void aFailedTransferIsRecordedAndRetriedLater() {
        stores.get("s2").failing = true;
        ok(new CreateTemplateCommand(new TemplateSpec("office", 2, 4096, "win", 0, PoolKind.NON_PERSISTENT,
                DesiredVms.of(1), 0, 2, 0, 0)));
        await(() -> !log.image().images().failures(new ImageRef("win", 1)).isEmpty(), "the failure to be recorded");
        assertThat(log.image().images().hasLanded(new ImageRef("win", 1), "s2")).isFalse();
        assertThat(log.image().images().failures(new ImageRef("win", 1)).get("s2").reason()).contains("unreachable");
    }

    private boolean idle() {
        return reconcilers.stream().allMatch(r -> r.inFlight().isEmpty());
    }

    private void ok(MeshCommand c) {
        Reply r = log.submit(c).join();
        assertThat(r.ok()).as("%s -> %s", c, r).isTrue();
    }

    private static void await(BooleanSupplier condition, String what) {
        await(condition, what, 10_000);
    }

    private static void await(BooleanSupplier condition, String what, long timeoutMs) {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

}
