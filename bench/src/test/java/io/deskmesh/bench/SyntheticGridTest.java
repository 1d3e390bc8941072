package io.deskmesh.bench;

import io.deskmesh.model.image.ClusterImage;
import io.deskmesh.model.image.ImageRef;
import io.deskmesh.model.image.TemplateImage;
import io.deskmesh.model.image.VmImage;
import io.deskmesh.model.record.PoolKind;
import io.deskmesh.model.record.VmState;
import io.deskmesh.testkit.sim.GridInvariants;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The synthetic steady-state grid the benchmarks measure is a grid the model accepts and the shape
 * the benchmarks claim: every template at its desired size on its image holders, every holder in
 * use, spare VMs exactly as the lifecycle planner keeps them, and no server over capacity. Whether
 * the planners find nothing to do on it is printed by {@link PlannerReport}, not asserted here, so a
 * planner change never fails this module's build.
 */
class SyntheticGridTest {
    @ParameterizedTest
    @ValueSource(ints = {10, 100})
    void buildsAValidSteadyStateGrid(int servers) {
        SyntheticGrid.Built grid = SyntheticGrid.build(servers, SyntheticGrid.vmsFor(servers));
        ClusterImage image = grid.image();

        assertThat(image.servers().size()).isEqualTo(servers);
        assertThat(image.templates().size()).isEqualTo(GridShape.TEMPLATES);
        assertThat(image.vms().size()).isEqualTo(servers * 100);
        assertThat(GridInvariants.sessions(image)).isEmpty();
        assertThat(GridInvariants.capacity(image)).isEmpty();
        assertThat(GridInvariants.replicas(image)).isEmpty();
        for (TemplateImage t : image.templates().all()) {
            assertPool(image, t);
        }
    }

    private static void assertPool(ClusterImage image, TemplateImage t) {
        ImageRef ref = t.imageRef();
        Set<String> holders = image.images().replicas(ref).keySet();
        assertThat(holders).as("holders of %s", ref).hasSizeGreaterThanOrEqualTo(t.spec().minReplicas());
        int vms = 0;
        int free = 0;
        int freeRunning = 0;
        for (String server : holders) {
            Set<String> on = image.vms().on(t.name(), server);
            assertThat(on).as("VMs of %s on holder %s", t.name(), server).isNotEmpty();
            for (String id : on) {
                VmImage vm = image.vms().get(id).orElseThrow();
                assertThat(vm.state()).isIn(VmState.RUNNING, VmState.STOPPED);
                assertThat(vm.imageVersion()).isEqualTo(t.spec().imageVersion());
                if (vm.sessionId() != null) {
                    assertThat(vm.state()).isEqualTo(VmState.RUNNING);
                }
                if (vm.owner() != null) {
                    assertThat(t.spec().pool()).isEqualTo(PoolKind.PERSISTENT);
                }
                if (vm.free()) {
                    free++;
                    freeRunning += vm.state() == VmState.RUNNING ? 1 : 0;
                }
                vms++;
            }
        }
        assertThat(vms).as("VMs of %s", t.name()).isEqualTo(t.spec().desiredVms().count());
        assertThat(freeRunning).as("free running VMs of %s", t.name()).isEqualTo(Math.min(free, t.spec().spareVms()));
    }

    @ParameterizedTest
    @ValueSource(ints = {10, 100})
    void handlesPointAtAFreeDesktopAndAnIdleEntitledUser(int servers) {
        SyntheticGrid.Built grid = SyntheticGrid.build(servers, SyntheticGrid.vmsFor(servers));
        ClusterImage image = grid.image();

        VmImage vm = image.vms().get(grid.freeStoppedVm()).orElseThrow();
        assertThat(vm.free()).isTrue();
        assertThat(vm.state()).isEqualTo(VmState.STOPPED);
        assertThat(vm.template()).isEqualTo(grid.template());
        assertThat(image.accounts().entitled(grid.idleUser(), grid.template())).isTrue();
        assertThat(image.sessions().ofUser(grid.idleUser(), grid.template())).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(ints = {10, 100})
    void losesFivePercentOfServersAtLeastOne(int servers) {
        ClusterImage image = SyntheticGrid.build(servers, SyntheticGrid.vmsFor(servers)).image();

        ClusterImage degraded = SyntheticGrid.withMissing(image, 0.05);

        assertThat(degraded.servers().all().stream().filter(s -> s.missing()).count())
                .isEqualTo(Math.max(1, Math.round(servers * 0.05)));
    }
}
