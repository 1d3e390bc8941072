package io.deskmesh.model.plan;

import io.deskmesh.model.command.CreateUserCommand;
import io.deskmesh.model.command.Reply;
import io.deskmesh.model.image.ClusterImage;
import io.deskmesh.model.image.VmImage;
import io.deskmesh.model.record.Role;
import io.deskmesh.model.record.VmState;
import io.deskmesh.testkit.GridFixture;
import org.junit.jupiter.api.Test;

import java.util.Comparator;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Where {@link ConnectionRouter} sends one login: which servers it rules out and why, how it ranks
 * the rest, persistent desktops, and the shape of its answer.
 */
class ConnectionRouterTest {
    private static final long GIB = 1L << 30;

    // ---------------------------------------------------------------- filtering

    @Test
    void reasonsShowScoresWithTwoDecimals() {
        assertThat(ConnectionRouter.hundredths(0.5)).isEqualTo("0.50");
        assertThat(ConnectionRouter.hundredths(1)).isEqualTo("1.00");
        assertThat(ConnectionRouter.hundredths(0.066)).isEqualTo("0.07");
        assertThat(ConnectionRouter.hundredths(0.004)).isEqualTo("0.00");
        assertThat(ConnectionRouter.hundredths(-0.25)).isEqualTo("-0.25");
    }

    @Test
    void missingDrainingSuspectAndExcludedServersAreRuledOutAndExplained() {
        GridFixture g = GridFixture.grid().server("s1").server("s2").server("s3").server("s4").server("s5")
                .image("win11", 1, 10 * GIB, "s1");
        for (String s : List.of("s2", "s3", "s4", "s5")) {
            g.replica("win11", 1, s);
        }
        g.template("office", t -> t.baseImage("win11").desired(5)).user("ann").grant("office", "ann");
        for (String s : List.of("s1", "s2", "s3", "s4", "s5")) {
            g.allocate("office", s, 1);
        }
        g.buildAll().missing("s1").drain("s2").suspect("s3");

        Route route = ConnectionRouter.route(g.clusterImage(), "ann", "office", Set.of("s4"));
        assertThat(route.candidates()).extracting(Candidate::server).containsExactly("s5");

        Route none = ConnectionRouter.route(g.clusterImage(), "ann", "office", Set.of("s4", "s5"));
        assertThat(none.isEmpty()).isTrue();
        assertThat(none.whyEmpty()).contains("missing", "draining", "suspect", "excluded");
    }

    // ---------------------------------------------------------------- ranking

    @Test
    void theLessLoadedServerRanksFirst() {
        // four VMs each; three of s1's are in use. s1 would win a name tie.
        GridFixture g = twoServers("site-a", "site-a")
                .allocate("office", "s1", 4).allocate("office", "s2", 4).buildAll();
        for (String user : List.of("u1", "u2", "u3")) {
            g.user(user).grant("office", user).login(user, "office", "s2");
        }
        g.user("ann").grant("office", "ann");

        Route route = ConnectionRouter.route(g.clusterImage(), "ann", "office", Set.of());

        assertThat(route.candidates()).extracting(Candidate::server).containsExactly("s2", "s1");
    }

    @Test
    void theUsersSiteRanksFirst() {
        GridFixture g = twoServers("site-a", "site-b")
                .allocate("office", "s1", 2).allocate("office", "s2", 2).buildAll()
                .run(new CreateUserCommand("bea", "hash:bea", Role.USER, "site-b"))
                .run(new CreateUserCommand("al", "hash:al", Role.USER, "site-a"))
                .grant("office", "bea").grant("office", "al");

        assertThat(ConnectionRouter.route(g.clusterImage(), "bea", "office", Set.of()).candidates())
                .extracting(Candidate::server).containsExactly("s2", "s1");
        assertThat(ConnectionRouter.route(g.clusterImage(), "al", "office", Set.of()).candidates())
                .extracting(Candidate::server).containsExactly("s1", "s2");
    }

    @Test
    void aServerWithARunningFreeVmRanksAboveOneWithOnlyStoppedVms() {
        GridFixture g = twoServers("site-a", "site-a")
                .allocate("office", "s1", 2).allocate("office", "s2", 2);
        List<String> created = g.createAll();
        for (String id : created) {
            if (g.vm(id).server().equals("s2")) {
                g.started(id);
            }
        }
        g.user("ann").grant("office", "ann");

        Route route = ConnectionRouter.route(g.clusterImage(), "ann", "office", Set.of());

        assertThat(route.candidates()).extracting(Candidate::server).containsExactly("s2", "s1");
        assertThat(g.vm(route.candidates().get(0).vmId()).state()).isEqualTo(VmState.RUNNING);
    }

    @Test
    void onAServerTheRunningVmOnTheCurrentVersionIsChosen() {
        // s1 holds, in id order: an old-version VM running, a current one stopped, a current one running
        GridFixture g = GridFixture.grid().server("s1")
                .image("win11", 1, 10 * GIB, "s1")
                .template("office", t -> t.baseImage("win11", 1).desired(3))
                .user("ann").grant("office", "ann")
                .allocate("office", "s1", 1).buildAll();
        String old = g.vmIds("office").get(0);
        g.image("win11", 2, 10 * GIB, "s1", 1).updateTemplate("office", t -> t.imageVersion(2))
                .allocate("office", "s1", 2);
        List<String> fresh = ((Reply.Allocated) g.lastReply()).vmIds();
        g.createAll();
        g.started(fresh.get(1));
        assertThat(g.vm(old).imageVersion()).isEqualTo(1);
        assertThat(g.vmIds("office")).containsExactly(old, fresh.get(0), fresh.get(1));

        Route route = ConnectionRouter.route(g.clusterImage(), "ann", "office", Set.of());

        assertThat(route.candidates()).singleElement().extracting(Candidate::vmId).isEqualTo(fresh.get(1));
    }

    // ---------------------------------------------------------------- persistent desktops

    @Test
    void aUserWithAnOwnDesktopGetsOnlyThatDesktop() {
        GridFixture g = persistentPool();
        Reply.Reserved first = g.login("ann", "office", "s2");
        g.endSession(first.sessionId());
        assertThat(g.vm(first.vmId()).owner()).isEqualTo("ann");

        Route route = ConnectionRouter.route(g.clusterImage(), "ann", "office", Set.of());

        assertThat(route.candidates()).as("free VMs on the idle s2 do not tempt the router")
                .extracting(Candidate::vmId).containsExactly(first.vmId());
    }

    @Test
    void aUserWithoutADesktopGetsAFreeUnownedOne() {
        GridFixture g = persistentPool();
        Reply.Reserved ann = g.login("ann", "office");
        g.endSession(ann.sessionId());

        Route route = ConnectionRouter.route(g.clusterImage(), "bob", "office", Set.of());

        assertThat(route.candidates()).isNotEmpty();
        ClusterImage image = g.clusterImage();
        assertThat(route.candidates()).allSatisfy(c -> {
            VmImage vm = image.vms().get(c.vmId()).orElseThrow();
            assertThat(vm.owner()).as("owner of %s", c.vmId()).isNull();
            assertThat(vm.sessionId()).as("session on %s", c.vmId()).isNull();
            assertThat(vm.server()).isEqualTo(c.server());
        });
        assertThat(route.candidates()).extracting(Candidate::vmId).doesNotContain(ann.vmId());
    }

    // ---------------------------------------------------------------- answer shape

    @Test
    void candidatesAreSortedBestFirstWithScoresBetweenZeroAndOne() {
        GridFixture g = GridFixture.grid()
                .server("s1", "site-a", 16, 65_536, 1_000_000)
                .server("s2", "site-b", 16, 65_536, 1_000_000)
                .server("s3", "site-b", 8, 32_768, 1_000_000)
                .server("s4", "site-c", 32, 131_072, 1_000_000)
                .image("win11", 1, 10 * GIB, "s1")
                .replica("win11", 1, "s2").replica("win11", 1, "s3").replica("win11", 1, "s4")
                .template("office", t -> t.baseImage("win11").desired(14))
                .allocate("office", "s1", 6).allocate("office", "s2", 2).allocate("office", "s3", 4)
                .allocate("office", "s4", 2);
        List<String> created = g.createAll();
        for (int i = 0; i < created.size(); i += 2) {
            g.started(created.get(i));
        }
        for (String user : List.of("u1", "u2", "u3")) {
            g.user(user).grant("office", user).login(user, "office", "s2", "s4");
        }
        g.run(new CreateUserCommand("bea", "hash:bea", Role.USER, "site-b")).grant("office", "bea");

        Route route = ConnectionRouter.route(g.clusterImage(), "bea", "office", Set.of());

        assertThat(route.candidates()).hasSize(4);
        assertThat(route.candidates()).allSatisfy(c -> assertThat(c.score()).isBetween(0.0, 1.0));
        assertThat(route.candidates()).isSortedAccordingTo(
                Comparator.comparingDouble(Candidate::score).reversed().thenComparing(Candidate::server));
        assertThat(route.candidates()).extracting(Candidate::server).doesNotHaveDuplicates();
        assertThat(route.whyEmpty()).isEmpty();
    }

    // ---------------------------------------------------------------- helpers

    /** Two 64 GiB servers in the given sites, both holding the image of template 'office' (desired 8). */
    private static GridFixture twoServers(String site1, String site2) {
        return GridFixture.grid()
                .server("s1", site1, 16, 65_536, 1_000_000)
                .server("s2", site2, 16, 65_536, 1_000_000)
                .image("win11", 1, 10 * GIB, "s1")
                .replica("win11", 1, "s2")
                .template("office", t -> t.baseImage("win11").desired(8));
    }

    /** A persistent pool of two VMs on s1 and three on idle s2; ann and bob entitled, neither owns one. */
    private static GridFixture persistentPool() {
        return GridFixture.grid().server("s1").server("s2")
                .image("win11", 1, 10 * GIB, "s1")
                .replica("win11", 1, "s2")
                .template("office", t -> t.baseImage("win11").persistent().desired(5))
                .user("ann").user("bob").grant("office", "ann").grant("office", "bob")
                .allocate("office", "s1", 2).allocate("office", "s2", 3).buildAll();
    }
}
