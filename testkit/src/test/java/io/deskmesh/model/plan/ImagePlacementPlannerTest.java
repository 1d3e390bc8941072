package io.deskmesh.model.plan;

import io.deskmesh.model.command.CreateUserCommand;
import io.deskmesh.model.command.MeshCommand;
import io.deskmesh.model.command.Reply;
import io.deskmesh.model.image.ImageRef;
import io.deskmesh.model.image.ReplicaImage;
import io.deskmesh.model.record.Role;
import io.deskmesh.testkit.GridFixture;
import io.deskmesh.testkit.sim.ActionOutcomes;
import io.deskmesh.testkit.sim.GridInvariants;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Where {@link ImagePlacementPlanner} puts base image copies, driven through {@link GridPlanner}:
 * minimum replicas, transfers in flight, lost holders, the capacity threshold, sites, surplus copies,
 * disk and the retry back-off after a failed transfer.
 */
class ImagePlacementPlannerTest {
    private static final long GIB = 1L << 30;
    private static final ImageRef WIN11 = new ImageRef("win11", 1);

    // ---------------------------------------------------------------- minimum replicas

    @Test
    void minReplicasFetchesTheMissingCopiesFromTheHolderOnceEach() {
        // desired 0 isolates redundancy: no VM needs capacity, so only minReplicas asks for copies
        GridFixture g = fiveServers()
                .image("win11", 1, 10 * GIB, "s1")
                .template("office", t -> t.baseImage("win11").desired(0).minReplicas(3));

        Plan plan = GridPlanner.plan(g.clusterImage());

        List<PlanAction.FetchReplica> fetches = fetches(plan);
        assertThat(fetches).hasSize(2);
        assertThat(fetches).extracting(PlanAction.FetchReplica::server).doesNotHaveDuplicates().doesNotContain("s1");
        assertThat(fetches).extracting(PlanAction.FetchReplica::source).containsOnly("s1");
        assertThat(fetches).extracting(PlanAction.FetchReplica::ref).containsOnly(WIN11);
        assertThat(GridInvariants.plan(g.clusterImage(), plan)).isEmpty();

        applyOutcomes(g, plan);
        assertThat(landedOn(g, WIN11)).hasSize(3);
        assertThat(fetches(GridPlanner.plan(g.clusterImage()))).as("after the copies landed").isEmpty();
    }

    @Test
    void aTransferInFlightCountsAsAHolder() {
        GridFixture g = fiveServers()
                .image("win11", 1, 10 * GIB, "s1")
                .transfer("win11", 1, "s2")
                .template("office", t -> t.baseImage("win11").desired(0).minReplicas(3));

        List<PlanAction.FetchReplica> fetches = fetches(GridPlanner.plan(g.clusterImage()));

        assertThat(fetches).as("one copy landed, one in flight, one more needed").hasSize(1);
        assertThat(fetches.get(0).server()).isNotIn("s1", "s2");
        assertThat(fetches.get(0).source()).isEqualTo("s1");
    }

    // ---------------------------------------------------------------- lost and unusable servers

    @Test
    void aMissingHolderIsReplacedFromALiveHolderNeverViaUnusableServers() {
        // The live holder is the only one in site-b; the missing and draining holders share site-a
        // with the only usable target, so a planner that took them as sources would prefer them.
        GridFixture g = GridFixture.grid()
                .server("s1", "site-b", 16, 65_536, 1_000_000)
                .server("s2", "site-a", 16, 65_536, 1_000_000)
                .server("s3", "site-a", 16, 65_536, 1_000_000)
                .server("s4", "site-a", 16, 65_536, 1_000_000)
                .server("s5", "site-a", 16, 65_536, 1_000_000)
                .image("win11", 1, 10 * GIB, "s1")
                .replica("win11", 1, "s2")
                .template("office", t -> t.baseImage("win11").desired(0).minReplicas(2));
        assertThat(fetches(GridPlanner.plan(g.clusterImage()))).as("two holders, two wanted").isEmpty();

        g.replica("win11", 1, "s3").drain("s3").suspect("s4").missing("s2");
        Plan plan = GridPlanner.plan(g.clusterImage());

        List<PlanAction.FetchReplica> fetches = fetches(plan);
        assertThat(fetches).as("the missing and draining copies do not count; one new copy").hasSize(1);
        assertThat(fetches.get(0).server()).as("target: neither missing, draining nor suspect").isEqualTo("s5");
        assertThat(fetches.get(0).source()).as("source: the live holder").isEqualTo("s1");
        assertThat(GridInvariants.plan(g.clusterImage(), plan)).isEmpty();
    }

    @Test
    void aSuspectHolderIsNeverASource() {
        // s1 is suspect and in the target's site; s2 is healthy elsewhere. A same-site preference
        // that ignores suspicion would copy from s1.
        GridFixture g = GridFixture.grid()
                .server("s1", "site-a", 16, 65_536, 1_000_000)
                .server("s2", "site-b", 16, 65_536, 1_000_000)
                .server("s3", "site-a", 16, 65_536, 1_000_000)
                .image("win11", 1, 10 * GIB, "s1")
                .replica("win11", 1, "s2")
                .template("office", t -> t.baseImage("win11").desired(0).minReplicas(3))
                .suspect("s1");

        List<PlanAction.FetchReplica> fetches = fetches(GridPlanner.plan(g.clusterImage()));

        assertThat(fetches).extracting(PlanAction.FetchReplica::server).containsExactly("s3");
        assertThat(fetches).extracting(PlanAction.FetchReplica::source).as("never from a suspect server")
                .containsOnly("s2");
    }

    // ---------------------------------------------------------------- capacity threshold

    @Test
    void newCopiesFollowARealCapacityDeficitNotEveryExtraVm() {
        // Two 64 GiB holders of 1 GiB VMs host about 100 VMs at the grid's target; s3 has no copy.
        GridFixture g = GridFixture.grid().server("s1").server("s2").server("s3")
                .image("win11", 1, 10 * GIB, "s1")
                .replica("win11", 1, "s2")
                .template("office", t -> t.baseImage("win11").cpus(1).memoryMb(1024).desired(20).minReplicas(2));
        assertThat(fetches(GridPlanner.plan(g.clusterImage()))).as("20 VMs on two holders").isEmpty();

        g.updateTemplate("office", t -> t.desired(21));
        assertThat(fetches(GridPlanner.plan(g.clusterImage()))).as("one more VM, still well within the holders").isEmpty();

        g.updateTemplate("office", t -> t.desired(150));
        List<PlanAction.FetchReplica> fetches = fetches(GridPlanner.plan(g.clusterImage()));
        assertThat(fetches).as("150 VMs exceed what two 64 GiB holders can host").isNotEmpty();
        assertThat(fetches).extracting(PlanAction.FetchReplica::server).containsExactly("s3");
    }

    // ---------------------------------------------------------------- sites

    @Test
    void aNewCopyGoesToTheSiteOfTheTemplatesUsers() {
        // a1 and b1 are equal but for their site; a1 wins a name tie, so only the users' site puts the copy on b1
        GridFixture g = GridFixture.grid()
                .server("h", "site-c", 16, 65_536, 1_000_000)
                .server("a1", "site-a", 16, 65_536, 1_000_000)
                .server("b1", "site-b", 16, 65_536, 1_000_000)
                .image("win11", 1, 10 * GIB, "h")
                .template("office", t -> t.baseImage("win11").desired(0).minReplicas(2))
                .run(new CreateUserCommand("ann", "hash:ann", Role.USER, "site-b"))
                .run(new CreateUserCommand("bob", "hash:bob", Role.USER, "site-b"))
                .grant("office", "ann").grant("office", "bob");

        List<PlanAction.FetchReplica> fetches = fetches(GridPlanner.plan(g.clusterImage()));

        assertThat(fetches).extracting(PlanAction.FetchReplica::server).containsExactly("b1");
    }

    @Test
    void aSameSiteSourceFeedsTheNewCopy() {
        // a-src sorts first and has as few outgoing transfers as b-src; only the site picks b-src
        GridFixture g = GridFixture.grid()
                .server("a-src", "site-a", 16, 65_536, 1_000_000)
                .server("b-src", "site-b", 16, 65_536, 1_000_000)
                .server("b-new", "site-b", 16, 65_536, 1_000_000)
                .image("win11", 1, 10 * GIB, "a-src")
                .replica("win11", 1, "b-src")
                .template("office", t -> t.baseImage("win11").desired(0).minReplicas(3));

        List<PlanAction.FetchReplica> fetches = fetches(GridPlanner.plan(g.clusterImage()));

        assertThat(fetches).hasSize(1);
        assertThat(fetches.get(0).server()).isEqualTo("b-new");
        assertThat(fetches.get(0).source()).isEqualTo("b-src");
    }

    // ---------------------------------------------------------------- surplus copies

    @Test
    void surplusIdleCopiesAreDroppedDownToMinReplicas() {
        GridFixture g = fourHolders()
                .template("office", t -> t.baseImage("win11").desired(0).minReplicas(2));
        assertThat(drops(GridPlanner.plan(g.clusterImage()))).as("fresh copies get time to receive VMs").isEmpty();
        passTime(g, ImagePlacementPlanner.FRESH_COPY_MS);

        Plan plan = GridPlanner.plan(g.clusterImage());

        assertThat(drops(plan)).hasSize(2);
        assertThat(drops(plan)).extracting(PlanAction.DropReplica::ref).containsOnly(WIN11);
        assertThat(drops(plan)).extracting(PlanAction.DropReplica::server).doesNotHaveDuplicates();
        assertThat(fetches(plan)).isEmpty();

        applyOutcomes(g, plan);
        Plan again = GridPlanner.plan(g.clusterImage());
        assertThat(landedOn(g, WIN11)).hasSize(2);
        assertThat(drops(again)).as("at min replicas, nothing more to drop").isEmpty();
        assertThat(fetches(again)).as("and nothing fetched back").isEmpty();
    }

    @Test
    void aCopyAVmRunsFromIsNeverDropped() {
        // s4 hosts the only VM, in a session, so it is the most loaded holder: first in line if
        // the planner forgot that the VM runs from its copy.
        GridFixture g = fourHolders()
                .template("office", t -> t.baseImage("win11").desired(1).minReplicas(2))
                .user("ann").grant("office", "ann")
                .allocate("office", "s4", 1).buildAll();
        String vm = g.login("ann", "office").vmId();
        g.updateTemplate("office", t -> t.desired(0));
        assertThat(g.vm(vm).server()).isEqualTo("s4");
        passTime(g, ImagePlacementPlanner.FRESH_COPY_MS);

        Plan plan = GridPlanner.plan(g.clusterImage());

        assertThat(drops(plan)).hasSize(2);
        assertThat(drops(plan)).extracting(PlanAction.DropReplica::server).doesNotContain("s4");
    }

    // ---------------------------------------------------------------- disk

    @Test
    void aServerWithoutDiskForTheImageIsNeverATarget() {
        // s2 sorts before s3, but its 8 000 MB of disk cannot take a 10 GiB image
        GridFixture g = GridFixture.grid()
                .server("s1")
                .server("s2", GridFixture.DEFAULT_SITE, 16, 65_536, 8_000)
                .server("s3")
                .image("win11", 1, 10 * GIB, "s1")
                .template("office", t -> t.baseImage("win11").desired(0).minReplicas(3));

        Plan plan = GridPlanner.plan(g.clusterImage());

        assertThat(fetches(plan)).extracting(PlanAction.FetchReplica::server).containsExactly("s3");
        assertThat(plan.notes()).as("the shortfall is explained").anySatisfy(n -> assertThat(n).contains("win11@1"));
    }

    @Test
    void diskTakenByCopiesPlannedInThisPassCounts() {
        // s2 has room for one 10 GiB image, not two; both templates want a second copy
        GridFixture g = GridFixture.grid()
                .server("s1")
                .server("s2", GridFixture.DEFAULT_SITE, 16, 65_536, 15 * 1024)
                .image("win11", 1, 10 * GIB, "s1")
                .image("ubuntu", 1, 10 * GIB, "s1")
                .template("office", t -> t.baseImage("win11").desired(0).minReplicas(2))
                .template("kiosk", t -> t.baseImage("ubuntu").desired(0).minReplicas(2));

        List<PlanAction.FetchReplica> fetches = fetches(GridPlanner.plan(g.clusterImage()));

        assertThat(fetches).hasSize(1);
        assertThat(fetches.get(0).server()).isEqualTo("s2");
    }

    // ---------------------------------------------------------------- failed transfers

    @Test
    void aFailedTransferIsNotRetriedWithinTheBackOff() {
        GridFixture g = GridFixture.grid().server("s1").server("s2")
                .image("win11", 1, 10 * GIB, "s1")
                .template("office", t -> t.baseImage("win11").desired(0).minReplicas(2))
                .transfer("win11", 1, "s2")
                .transferFailed("win11", 1, "s2", "checksum mismatch");
        assertThat(fetches(GridPlanner.plan(g.clusterImage()))).as("right after the failure").isEmpty();

        passTime(g, 59_000);
        assertThat(fetches(GridPlanner.plan(g.clusterImage()))).as("59 s after the failure").isEmpty();

        passTime(g, 2_000);
        assertThat(fetches(GridPlanner.plan(g.clusterImage()))).as("61 s after the failure")
                .extracting(PlanAction.FetchReplica::server).containsExactly("s2");
    }

    // ---------------------------------------------------------------- helpers

    private static GridFixture fiveServers() {
        return GridFixture.grid().server("s1").server("s2").server("s3").server("s4").server("s5");
    }

    private static GridFixture fourHolders() {
        return GridFixture.grid().server("s1").server("s2").server("s3").server("s4")
                .image("win11", 1, 10 * GIB, "s1")
                .replica("win11", 1, "s2").replica("win11", 1, "s3").replica("win11", 1, "s4");
    }

    /** Moves the log clock and applies an empty entry, so the image's time moves with it. */
    private static void passTime(GridFixture g, long millis) {
        g.advance(millis).entry(List.of());
    }

    private static List<PlanAction.FetchReplica> fetches(Plan plan) {
        return plan.actions().stream().filter(PlanAction.FetchReplica.class::isInstance)
                .map(PlanAction.FetchReplica.class::cast).toList();
    }

    private static List<PlanAction.DropReplica> drops(Plan plan) {
        return plan.actions().stream().filter(PlanAction.DropReplica.class::isInstance)
                .map(PlanAction.DropReplica.class::cast).toList();
    }

    private static List<String> landedOn(GridFixture g, ImageRef ref) {
        return g.clusterImage().images().replicas(ref).values().stream().filter(ReplicaImage::landed)
                .map(ReplicaImage::server).toList();
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
