package io.deskmesh.model.plan;

import io.deskmesh.model.command.Reply;
import io.deskmesh.model.record.VmState;
import io.deskmesh.testkit.GridFixture;
import io.deskmesh.testkit.sim.GridInvariants;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What {@link VmLifecyclePlanner} does with each VM, driven through {@link GridPlanner}: build,
 * delete, regenerate, roll out a new image version, power sessions on, keep the spare buffer, leave
 * missing hosts alone, and never plan two actions for one VM.
 */
class VmLifecyclePlannerTest {
    private static final long GIB = 1L << 30;

    // ---------------------------------------------------------------- one VM, one state

    @Test
    void anAllocatedVmIsBuiltOnItsHost() {
        GridFixture g = GridFixture.grid().server("s1").server("s2")
                .image("win11", 1, 10 * GIB, "s2")
                .template("office", t -> t.baseImage("win11").desired(1))
                .allocate("office", "s2", 1);
        String vm = allocatedIds(g).get(0);

        Plan plan = GridPlanner.plan(g.clusterImage());

        assertThat(actionsOn(plan, vm)).containsExactly(new PlanAction.BuildVm("s2", vm));
    }

    @Test
    void retiringAndUnhealthyVmsAreDeleted() {
        GridFixture g = GridFixture.grid().server("s1")
                .image("win11", 1, 10 * GIB, "s1")
                .template("office", t -> t.baseImage("win11").desired(3))
                .allocate("office", "s1", 3).buildAll();
        List<String> ids = g.vmIds("office");
        g.retire(ids.get(0)).unhealthy(ids.get(1), "agent silent");

        Plan plan = GridPlanner.plan(g.clusterImage());

        assertThat(actionsOn(plan, ids.get(0))).containsExactly(new PlanAction.DeleteVm("s1", ids.get(0)));
        assertThat(actionsOn(plan, ids.get(1))).containsExactly(new PlanAction.DeleteVm("s1", ids.get(1)));
    }

    @Test
    void aDirtyVmIsRegeneratedFromTheTemplatesVersion() {
        GridFixture g = GridFixture.grid().server("s1")
                .image("win11", 1, 10 * GIB, "s1")
                .image("win11", 2, 10 * GIB, "s1", 1)
                .template("office", t -> t.baseImage("win11", 2).desired(2))
                .user("ann").grant("office", "ann")
                .allocate("office", "s1", 2).buildAll();
        Reply.Reserved ann = g.login("ann", "office");
        g.endSession(ann.sessionId());
        assertThat(g.vm(ann.vmId()).state()).isEqualTo(VmState.DIRTY);

        Plan plan = GridPlanner.plan(g.clusterImage());

        assertThat(actionsOn(plan, ann.vmId())).containsExactly(new PlanAction.RegenerateVm("s1", ann.vmId(), 2));
    }

    @Test
    void aVmInSessionThatIsStoppedIsStarted() {
        GridFixture g = GridFixture.grid().server("s1")
                .image("win11", 1, 10 * GIB, "s1")
                .template("office", t -> t.baseImage("win11").desired(2))
                .user("ann").grant("office", "ann")
                .allocate("office", "s1", 2).buildAll();
        String vm = g.login("ann", "office").vmId();
        g.stopped(vm);

        Plan plan = GridPlanner.plan(g.clusterImage());

        assertThat(actionsOn(plan, vm)).containsExactly(new PlanAction.StartVm("s1", vm));
    }

    // ---------------------------------------------------------------- rollout

    @Test
    void aRolloutRegeneratesWhereTheVersionLandedRetiresElsewhereAndSparesSessions() {
        GridFixture g = GridFixture.grid().server("s1").server("s2")
                .image("win11", 1, 10 * GIB, "s1")
                .replica("win11", 1, "s2")
                .template("office", t -> t.baseImage("win11", 1).desired(4))
                .user("ann").user("bob").grant("office", "ann").grant("office", "bob")
                .allocate("office", "s1", 2).allocate("office", "s2", 2).buildAll();
        String annVm = g.login("ann", "office", "s2").vmId();
        String bobVm = g.login("bob", "office", "s1").vmId();
        String freeOnS1 = g.clusterImage().vms().freeOn("office", "s1").first();
        String freeOnS2 = g.clusterImage().vms().freeOn("office", "s2").first();
        // v2 cannot reach s2 for now (its copy just failed), so nothing is on its way there
        g.image("win11", 2, 10 * GIB, "s1", 1)
                .transfer("win11", 2, "s2", "s1").transferFailed("win11", 2, "s2", "disk full")
                .updateTemplate("office", t -> t.imageVersion(2));

        Plan plan = GridPlanner.plan(g.clusterImage());

        assertThat(actions(plan, PlanAction.FetchReplica.class)).as("no copy to s2 in back-off")
                .noneMatch(f -> f.server().equals("s2"));
        assertThat(actionsOn(plan, freeOnS1)).as("free, v2 landed on s1")
                .containsExactly(new PlanAction.RegenerateVm("s1", freeOnS1, 2));
        assertThat(actionsOn(plan, freeOnS2)).as("free, v2 not on s2")
                .singleElement().isInstanceOf(PlanAction.RetireVm.class);
        assertThat(actionsOn(plan, annVm)).as("in session on s1").isEmpty();
        assertThat(actionsOn(plan, bobVm)).as("in session on s2").isEmpty();
    }

    @Test
    void aFreeVmWaitsOnItsOldVersionWhereTheNewOneIsOnItsWay() {
        GridFixture g = GridFixture.grid().server("s1").server("s2")
                .image("win11", 1, 10 * GIB, "s1")
                .replica("win11", 1, "s2")
                .template("office", t -> t.baseImage("win11", 1).desired(4))
                .user("ann").grant("office", "ann")
                .allocate("office", "s1", 2).allocate("office", "s2", 2).buildAll();
        g.login("ann", "office", "s2");
        String freeOnS2 = g.clusterImage().vms().freeOn("office", "s2").first();
        g.image("win11", 2, 10 * GIB, "s1", 1)
                .transfer("win11", 2, "s2", "s1")
                .updateTemplate("office", t -> t.imageVersion(2));

        Plan fetching = GridPlanner.plan(g.clusterImage());
        assertThat(actionsOn(fetching, freeOnS2)).as("v2 fetching to s2: the free VM keeps serving on v1").isEmpty();

        g.run(new io.deskmesh.model.command.LandReplicaCommand("win11", 2, "s2"));
        Plan landed = GridPlanner.plan(g.clusterImage());
        assertThat(actionsOn(landed, freeOnS2)).as("v2 landed on s2")
                .containsExactly(new PlanAction.RegenerateVm("s2", freeOnS2, 2));
    }

    // ---------------------------------------------------------------- spare buffer

    @Test
    void theSpareBufferIsStartedOnTheLeastUtilisedServersFirst() {
        // 1 GiB VMs, all powered off: s1 holds 5, s2 3, s3 1 (close enough that nothing moves)
        GridFixture g = threeHoldersOfSmallVms(9, 3)
                .allocate("office", "s1", 5).allocate("office", "s2", 3).allocate("office", "s3", 1);
        g.createAll();

        Plan plan = GridPlanner.plan(g.clusterImage());

        List<PlanAction.StartVm> starts = actions(plan, PlanAction.StartVm.class);
        assertThat(starts).hasSize(3);
        assertThat(starts).extracting(PlanAction.StartVm::server).containsExactlyInAnyOrder("s3", "s2", "s2");
    }

    @Test
    void runningFreeVmsBeyondSparePlusOneAreStoppedOnTheMostUtilisedServers() {
        // six running, spare 3: the band keeps four, so two stop, on s1 (four VMs) rather than s2 (two)
        GridFixture g = threeHoldersOfSmallVms(6, 3)
                .allocate("office", "s1", 4).allocate("office", "s2", 2).buildAll();

        Plan plan = GridPlanner.plan(g.clusterImage());

        List<PlanAction.StopVm> stops = actions(plan, PlanAction.StopVm.class);
        assertThat(stops).hasSize(2);
        assertThat(stops).extracting(PlanAction.StopVm::server).containsOnly("s1");
        assertThat(actions(plan, PlanAction.StartVm.class)).isEmpty();
    }

    @Test
    void theSpareBandPlansNothingForSparePlusOneRunning() {
        GridFixture g = threeHoldersOfSmallVms(6, 3)
                .allocate("office", "s1", 4).allocate("office", "s2", 2);
        List<String> created = g.createAll();
        for (String id : created.subList(0, 4)) {
            g.started(id);
        }

        Plan plan = GridPlanner.plan(g.clusterImage());

        assertThat(actions(plan, PlanAction.StopVm.class)).isEmpty();
        assertThat(actions(plan, PlanAction.StartVm.class)).isEmpty();
    }

    // ---------------------------------------------------------------- safety

    @Test
    void nothingIsPlannedForVmsOfAMissingHost() {
        GridFixture g = GridFixture.grid().server("s1").server("s2")
                .image("win11", 1, 10 * GIB, "s1")
                .replica("win11", 1, "s2")
                .template("office", t -> t.baseImage("win11").desired(6))
                .user("ann").user("bob").grant("office", "ann").grant("office", "bob")
                .allocate("office", "s2", 4).buildAll();
        Reply.Reserved ann = g.login("ann", "office");
        g.endSession(ann.sessionId());
        String stoppedInSession = g.login("bob", "office").vmId();
        g.stopped(stoppedInSession)
                .retire(g.clusterImage().vms().freeOn("office", "s2").first())
                .allocate("office", "s2", 1);
        // on s2: a dirty VM, a stopped one in session, a retiring one, an allocated one, a running free one
        assertThat(g.vm(ann.vmId()).state()).isEqualTo(VmState.DIRTY);
        g.missing("s2");

        Plan plan = GridPlanner.plan(g.clusterImage());

        assertThat(plan.actionsFor("s2")).isEmpty();
        assertThat(GridInvariants.plan(g.clusterImage(), plan)).isEmpty();
    }

    @Test
    void noVmGetsTwoActionsInOnePlan() {
        // A rollout, a draining server, a surplus, dirty and stopped VMs and a spare buffer at once:
        // allocation retires some VMs that lifecycle would otherwise regenerate, start or retire too.
        GridFixture g = GridFixture.grid().server("s1").server("s2").server("s3")
                .image("win11", 1, 10 * GIB, "s1")
                .replica("win11", 1, "s2").replica("win11", 1, "s3")
                .template("office", t -> t.baseImage("win11", 1).cpus(1).memoryMb(1024).desired(12).spare(4))
                .user("ann").user("bob").grant("office", "ann").grant("office", "bob")
                .allocate("office", "s1", 4).allocate("office", "s2", 4).allocate("office", "s3", 4);
        List<String> created = g.createAll();
        for (String id : created.subList(0, 6)) {
            g.started(id);
        }
        g.endSession(g.login("ann", "office").sessionId());
        g.login("bob", "office");
        g.image("win11", 2, 10 * GIB, "s1", 1)
                .updateTemplate("office", t -> t.imageVersion(2).desired(5))
                .drain("s3");

        Plan plan = GridPlanner.plan(g.clusterImage());

        Map<String, List<PlanAction>> byVm = new TreeMap<>();
        for (PlanAction a : plan.actions()) {
            String id = vmIdOf(a);
            if (id != null) {
                byVm.computeIfAbsent(id, k -> new ArrayList<>()).add(a);
            }
        }
        assertThat(byVm).as("plan touches VMs").isNotEmpty();
        assertThat(byVm.values()).allSatisfy(list -> assertThat(list).as("actions for one VM").hasSize(1));
        assertThat(GridInvariants.plan(g.clusterImage(), plan)).isEmpty();
    }

    @Test
    void aVmRetiredForASurplusIsNotAlsoStartedAsASpare() {
        // six powered-off VMs, three too many: allocation retires three, the spare buffer wants three on
        GridFixture g = GridFixture.grid().server("s1")
                .image("win11", 1, 10 * GIB, "s1")
                .template("office", t -> t.baseImage("win11").desired(6).spare(3))
                .allocate("office", "s1", 6);
        g.createAll();
        g.updateTemplate("office", t -> t.desired(3));

        Plan plan = GridPlanner.plan(g.clusterImage());

        List<String> retired = actions(plan, PlanAction.RetireVm.class).stream().map(PlanAction.RetireVm::vmId).toList();
        List<String> started = actions(plan, PlanAction.StartVm.class).stream().map(PlanAction.StartVm::vmId).toList();
        assertThat(retired).hasSize(3);
        assertThat(started).hasSize(3).doesNotContainAnyElementsOf(retired);
        assertThat(GridInvariants.plan(g.clusterImage(), plan)).isEmpty();
    }

    // ---------------------------------------------------------------- helpers

    /** Three 64 GiB servers holding the image of a 1 vCPU / 1 GiB template. */
    private static GridFixture threeHoldersOfSmallVms(int desired, int spare) {
        return GridFixture.grid().server("s1").server("s2").server("s3")
                .image("win11", 1, 10 * GIB, "s1")
                .replica("win11", 1, "s2").replica("win11", 1, "s3")
                .template("office", t -> t.baseImage("win11").cpus(1).memoryMb(1024).desired(desired).spare(spare));
    }

    private static List<String> allocatedIds(GridFixture g) {
        return ((Reply.Allocated) g.lastReply()).vmIds();
    }

    private static <T extends PlanAction> List<T> actions(Plan plan, Class<T> type) {
        return plan.actions().stream().filter(type::isInstance).map(type::cast).toList();
    }

    private static List<PlanAction> actionsOn(Plan plan, String vmId) {
        return plan.actions().stream().filter(a -> vmId.equals(vmIdOf(a))).toList();
    }

    private static String vmIdOf(PlanAction a) {
        return switch (a) {
            case PlanAction.BuildVm b -> b.vmId();
            case PlanAction.StartVm b -> b.vmId();
            case PlanAction.StopVm b -> b.vmId();
            case PlanAction.RegenerateVm b -> b.vmId();
            case PlanAction.RetireVm b -> b.vmId();
            case PlanAction.DeleteVm b -> b.vmId();
            default -> null;
        };
    }
}
