package io.deskmesh.model.plan;

import io.deskmesh.model.command.MeshCommand;
import io.deskmesh.model.command.Reply;
import io.deskmesh.model.image.ClusterImage;
import io.deskmesh.model.image.ServerImage;
import io.deskmesh.model.image.VmImage;
import io.deskmesh.testkit.GridFixture;
import io.deskmesh.testkit.sim.ActionOutcomes;
import io.deskmesh.testkit.sim.GridInvariants;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How many VMs {@link VmAllocationPlanner} puts where, driven through {@link GridPlanner}:
 * water-filling, capacity, removing a surplus, replacing VMs of missing and draining servers,
 * the auto pools' tolerance, and rebalancing.
 */
class VmAllocationPlannerTest {
    private static final long GIB = 1L << 30;

    // ---------------------------------------------------------------- deficit

    @Test
    void aDeficitIsWaterFilledToEqualUtilisation() {
        // 16, 32 and 64 GiB with 256 vCPUs each: memory decides; 56 GiB over 112 GiB is 50 % everywhere
        GridFixture g = GridFixture.grid()
                .server("small", GridFixture.DEFAULT_SITE, 64, 16_384, 1_000_000)
                .server("medium", GridFixture.DEFAULT_SITE, 64, 32_768, 1_000_000)
                .server("large", GridFixture.DEFAULT_SITE, 64, 65_536, 1_000_000)
                .image("win11", 1, 10 * GIB, "small")
                .replica("win11", 1, "medium").replica("win11", 1, "large")
                .template("office", t -> t.baseImage("win11").cpus(1).memoryMb(1024).desired(56));

        Plan plan = GridPlanner.plan(g.clusterImage());

        assertThat(allocatedPerServer(plan)).containsExactlyInAnyOrderEntriesOf(Map.of("small", 8, "medium", 16, "large", 32));
        assertThat(actions(plan, PlanAction.RetireVm.class)).isEmpty();
    }

    @Test
    void aDeficitBeyondCapacityFillsEveryServerAndSaysWhy() {
        // two servers of 8 GiB (and 64 vCPUs) host 16 VMs of 1 GiB in all
        GridFixture g = GridFixture.grid()
                .server("s1", GridFixture.DEFAULT_SITE, 16, 8_192, 1_000_000)
                .server("s2", GridFixture.DEFAULT_SITE, 16, 8_192, 1_000_000)
                .image("win11", 1, 10 * GIB, "s1")
                .replica("win11", 1, "s2")
                .template("office", t -> t.baseImage("win11").cpus(1).memoryMb(1024).desired(100).minReplicas(2));

        Plan plan = GridPlanner.plan(g.clusterImage());

        assertThat(allocatedPerServer(plan)).containsExactlyInAnyOrderEntriesOf(Map.of("s1", 8, "s2", 8));
        assertThat(plan.notes()).as("the shortfall is explained")
                .anySatisfy(n -> assertThat(n).contains("office").contains("84"));

        applyOutcomes(g, plan);
        assertThat(GridInvariants.capacity(g.clusterImage())).isEmpty();
    }

    // ---------------------------------------------------------------- surplus

    @Test
    void loweringDesiredRetiresOnlyFreeVms() {
        GridFixture g = GridFixture.grid().server("s1")
                .image("win11", 1, 10 * GIB, "s1")
                .template("office", t -> t.baseImage("win11").desired(6))
                .user("ann").user("bob").grant("office", "ann").grant("office", "bob")
                .allocate("office", "s1", 6).buildAll();
        String annVm = g.login("ann", "office").vmId();
        String bobVm = g.login("bob", "office").vmId();
        g.updateTemplate("office", t -> t.desired(0));

        List<PlanAction.RetireVm> retired = actions(GridPlanner.plan(g.clusterImage()), PlanAction.RetireVm.class);

        assertThat(retired).as("six VMs, two in session").hasSize(4);
        assertThat(retired).extracting(PlanAction.RetireVm::vmId).doesNotContain(annVm, bobVm).doesNotHaveDuplicates();
    }

    @Test
    void loweringDesiredNeverRetiresAUsersOwnPersistentDesktop() {
        GridFixture g = GridFixture.grid().server("s1")
                .image("win11", 1, 10 * GIB, "s1")
                .template("office", t -> t.baseImage("win11").persistent().desired(4))
                .user("ann").user("bob").grant("office", "ann").grant("office", "bob")
                .allocate("office", "s1", 4).buildAll();
        Reply.Reserved ann = g.login("ann", "office");
        g.endSession(ann.sessionId());
        String bobVm = g.login("bob", "office").vmId();
        assertThat(g.vm(ann.vmId()).owner()).isEqualTo("ann");
        assertThat(g.vm(ann.vmId()).sessionId()).isNull();
        g.updateTemplate("office", t -> t.desired(0));

        List<PlanAction.RetireVm> retired = actions(GridPlanner.plan(g.clusterImage()), PlanAction.RetireVm.class);

        assertThat(retired).as("four VMs, one owned and idle, one owned in session").hasSize(2);
        assertThat(retired).extracting(PlanAction.RetireVm::vmId).doesNotContain(ann.vmId(), bobVm);
    }

    @Test
    void autoPoolsTolerateASmallSurplusFixedPoolsDoNot() {
        // auto, non-persistent, 10 entitled users, no demand yet: ceil(2 x 1.2) = 3 desired
        GridFixture auto = tenUsers(GridFixture.grid().server("s1").image("win11", 1, 10 * GIB, "s1")
                .template("office", t -> t.baseImage("win11").desiredAuto()), "office")
                .allocate("office", "s1", 4).buildAll();
        assertThat(PoolSizer.desired(auto.clusterImage(), auto.clusterImage().templates().get("office").orElseThrow()))
                .isEqualTo(3);
        assertThat(actions(GridPlanner.plan(auto.clusterImage()), PlanAction.RetireVm.class))
                .as("auto pool, one VM over").isEmpty();

        auto.allocate("office", "s1", 2).buildAll();
        assertThat(actions(GridPlanner.plan(auto.clusterImage()), PlanAction.RetireVm.class))
                .as("auto pool, three VMs over: back to desired").hasSize(3);

        GridFixture fixed = GridFixture.grid().server("s1").image("win11", 1, 10 * GIB, "s1")
                .template("office", t -> t.baseImage("win11").desired(3))
                .allocate("office", "s1", 4).buildAll();
        assertThat(actions(GridPlanner.plan(fixed.clusterImage()), PlanAction.RetireVm.class))
                .as("fixed pool, one VM over").hasSize(1);
    }

    // ---------------------------------------------------------------- lost and draining servers

    @Test
    void vmsOfAMissingServerAreReplacedAndTheSurplusRetiredWhenItReturns() {
        GridFixture g = GridFixture.grid().server("s1").server("s2").server("s3")
                .image("win11", 1, 10 * GIB, "s1")
                .replica("win11", 1, "s2").replica("win11", 1, "s3")
                .template("office", t -> t.baseImage("win11").desired(6))
                .allocate("office", "s1", 2).allocate("office", "s2", 2).allocate("office", "s3", 2).buildAll()
                .missing("s3");

        Plan plan = GridPlanner.plan(g.clusterImage());

        assertThat(allocatedPerServer(plan)).as("two VMs lost with s3, replaced on live servers")
                .containsOnlyKeys("s1", "s2");
        assertThat(allocatedPerServer(plan).values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(2);
        assertThat(plan.actionsFor("s3")).isEmpty();

        applyOutcomes(g, plan);
        g.buildAll();
        g.rejoin("s3");
        Plan back = GridPlanner.plan(g.clusterImage());

        assertThat(actions(back, PlanAction.RetireVm.class)).as("eight VMs for six desired").hasSize(2);
        assertThat(actions(back, PlanAction.AllocateVms.class)).isEmpty();
    }

    @Test
    void aDrainingServersFreeVmsAreRetiredAndReplacedItsSessionsStay() {
        GridFixture g = GridFixture.grid().server("s1").server("s2")
                .image("win11", 1, 10 * GIB, "s1")
                .replica("win11", 1, "s2")
                .template("office", t -> t.baseImage("win11").desired(4))
                .user("ann").grant("office", "ann")
                .allocate("office", "s1", 4).buildAll();
        String annVm = g.login("ann", "office").vmId();
        g.drain("s1");

        Plan plan = GridPlanner.plan(g.clusterImage());

        Set<String> freeOnS1 = Set.copyOf(g.clusterImage().vms().freeOn("office", "s1"));
        assertThat(freeOnS1).hasSize(3);
        assertThat(actions(plan, PlanAction.RetireVm.class)).extracting(PlanAction.RetireVm::vmId)
                .containsExactlyInAnyOrderElementsOf(freeOnS1);
        assertThat(allocatedPerServer(plan)).as("nothing on a draining server counts towards the pool")
                .containsExactlyInAnyOrderEntriesOf(Map.of("s2", 4));
        assertThat(vmIdsActedOn(plan)).as("the VM in session is left alone").doesNotContain(annVm);
    }

    // ---------------------------------------------------------------- rebalance

    @Test
    void freeVmsMoveToAServerThatGotTheImageLater() {
        // eight 4 GiB VMs on s1 (50 %) before s2 had the image; s2 idle
        GridFixture g = GridFixture.grid().server("s1").server("s2")
                .image("win11", 1, 10 * GIB, "s1")
                .template("office", t -> t.baseImage("win11").desired(8))
                .allocate("office", "s1", 8).buildAll()
                .replica("win11", 1, "s2");

        Plan plan = GridPlanner.plan(g.clusterImage());

        List<PlanAction.RetireVm> retired = actions(plan, PlanAction.RetireVm.class);
        assertThat(retired).isNotEmpty();
        assertThat(retired).extracting(PlanAction.RetireVm::server).containsOnly("s1");
        assertThat(allocatedPerServer(plan)).as("a move retires first; its replacement comes in the next pass").isEmpty();

        applyOutcomes(g, plan);
        Plan refill = GridPlanner.plan(g.clusterImage());
        assertThat(allocatedPerServer(refill)).as("each VM retired on s1 is replaced on s2")
                .containsExactlyInAnyOrderEntriesOf(Map.of("s2", retired.size()));
        applyOutcomes(g, refill);
        g.buildAll();
        applyOutcomes(g, GridPlanner.plan(g.clusterImage()));
        ClusterImage image = g.clusterImage();
        assertThat(Math.abs(stayingUtilisation(image, "s1") - stayingUtilisation(image, "s2")))
                .as("spread after the moves").isLessThanOrEqualTo(VmAllocationPlanner.GAP);

        Plan again = GridPlanner.plan(image);
        assertThat(actions(again, PlanAction.RetireVm.class)).as("balanced: no more moves").isEmpty();
        assertThat(actions(again, PlanAction.AllocateVms.class)).isEmpty();
    }

    @Test
    void noVmMovesWhenServersAreWithinTheGap() {
        // 9 and 4 VMs of 1 GiB on 64 GiB servers: 14.1 % and 6.3 %, 7.8 points apart. One move would
        // still leave s2 below s1, so only the gap keeps them in place.
        GridFixture g = GridFixture.grid().server("s1").server("s2")
                .image("win11", 1, 10 * GIB, "s1")
                .replica("win11", 1, "s2")
                .template("office", t -> t.baseImage("win11").cpus(1).memoryMb(1024).desired(13))
                .allocate("office", "s1", 9).allocate("office", "s2", 4).buildAll();

        Plan plan = GridPlanner.plan(g.clusterImage());

        assertThat(actions(plan, PlanAction.RetireVm.class)).isEmpty();
        assertThat(actions(plan, PlanAction.AllocateVms.class)).isEmpty();
    }

    // ---------------------------------------------------------------- helpers

    private static GridFixture tenUsers(GridFixture g, String template) {
        for (int i = 0; i < 10; i++) {
            g.user("u" + i).grant(template, "u" + i);
        }
        return g;
    }

    private static <T extends PlanAction> List<T> actions(Plan plan, Class<T> type) {
        return plan.actions().stream().filter(type::isInstance).map(type::cast).toList();
    }

    /** VMs allocated per server over every AllocateVms action of the plan. */
    private static Map<String, Integer> allocatedPerServer(Plan plan) {
        return actions(plan, PlanAction.AllocateVms.class).stream()
                .collect(Collectors.toMap(PlanAction.AllocateVms::server, PlanAction.AllocateVms::count, Integer::sum,
                        TreeMap::new));
    }

    private static List<String> vmIdsActedOn(Plan plan) {
        List<String> ids = new ArrayList<>();
        for (PlanAction a : plan.actions()) {
            switch (a) {
                case PlanAction.BuildVm b -> ids.add(b.vmId());
                case PlanAction.StartVm b -> ids.add(b.vmId());
                case PlanAction.StopVm b -> ids.add(b.vmId());
                case PlanAction.RegenerateVm b -> ids.add(b.vmId());
                case PlanAction.RetireVm b -> ids.add(b.vmId());
                case PlanAction.DeleteVm b -> ids.add(b.vmId());
                default -> {
                }
            }
        }
        return ids;
    }

    /** Utilisation of the VMs that stay on a server (retiring and broken ones excluded). */
    private static double stayingUtilisation(ClusterImage image, String server) {
        ServerImage s = image.servers().get(server).orElseThrow();
        long cpus = 0;
        long memoryMb = 0;
        for (VmImage vm : image.vms().all()) {
            if (vm.server().equals(server) && vm.counted()) {
                cpus += vm.cpus();
                memoryMb += vm.memoryMb();
            }
        }
        return CapacityModel.utilisation(s.capacity(), cpus, memoryMb);
    }

    /** Applies every action's successful outcome as one entry; every outcome must be accepted. */
    private static void applyOutcomes(GridFixture g, Plan plan) {
        List<MeshCommand> commands = new ArrayList<>();
        for (PlanAction a : plan.actions()) {
            commands.addAll(ActionOutcomes.of(a));
        }
        List<Reply> replies = g.entry(commands).replies();
        for (int i = 0; i < replies.size(); i++) {
            assertThat(replies.get(i).ok()).as("outcome %s: %s", commands.get(i), replies.get(i)).isTrue();
        }
    }
}
