package io.deskmesh.raft;

import io.deskmesh.model.command.CreateGridCommand;
import io.deskmesh.model.command.CreateUserCommand;
import io.deskmesh.model.command.JoinServerCommand;
import io.deskmesh.model.command.MeshCommand;
import io.deskmesh.model.command.Reply;
import io.deskmesh.model.image.ClusterImage;
import io.deskmesh.model.record.Capacity;
import io.deskmesh.model.record.Role;
import org.apache.ratis.server.RaftServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Three (or four) Raft servers in this JVM on loopback ports. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MeshRaftClusterTest {
    @TempDir
    Path dir;

    private TestGrid grid;

    @AfterEach
    void stopGrid() {
        if (grid != null) {
            grid.close();
        }
    }

    @Test
    void writesFromAFollowerReachEveryNodeIdenticallyAndAreLocalWhenAcknowledged() throws Exception {
        grid = new TestGrid(dir);
        List<MeshRaftServer> nodes = grid.voters("a", "b", "c");
        MeshRaftServer leader = grid.awaitLeader();
        MeshRaftServer follower = nodes.stream().filter(n -> n != leader).findFirst().orElseThrow();
        CommandSubmitter submitter = follower.submitter();

        assertThat(leader.membership().voterIds()).containsExactlyInAnyOrder("a", "b", "c");
        assertThat(submitter.submit(new CreateGridCommand("g1")).get(10, TimeUnit.SECONDS))
                .isEqualTo(new Reply.Created("g1"));
        assertThat(follower.image().grid().gridId()).isEqualTo("g1");

        for (String name : List.of("a", "b", "c")) {
            Reply r = submitter.submit(new JoinServerCommand(name, "site-1", name + ".example:8443",
                    new Capacity(8, 32_768, 500_000))).get(10, TimeUnit.SECONDS);
            assertThat(r.ok()).isTrue();
            assertThat(follower.image().servers().contains(name)).as("server %s visible on ack", name).isTrue();
        }
        Reply created = submitter.submit(new CreateUserCommand("alice", "hash", Role.ADMIN, "site-1"))
                .get(10, TimeUnit.SECONDS);
        assertThat(created).isEqualTo(new Reply.Created("alice"));
        assertThat(follower.image().accounts().user("alice")).isPresent();
        Reply again = submitter.submit(new CreateUserCommand("alice", "hash", Role.ADMIN, "site-1"))
                .get(10, TimeUnit.SECONDS);
        assertThat(again).isInstanceOf(Reply.Failed.class);

        ClusterImage image = grid.awaitSameImage(follower.image().index());
        assertThat(image.servers().contains("c")).isTrue();
        assertThat(image.accounts().user("alice")).isPresent();
        for (MeshRaftServer n : nodes) {
            assertThat(n.health().status()).isEqualTo(RaftHealth.Status.RUNNING);
            assertThat(n.health().leaderId()).isEqualTo(leader.nodeId());
        }
    }

    @Test
    void concurrentSubmissionsShareLogEntries() throws Exception {
        grid = new TestGrid(dir);
        List<MeshRaftServer> nodes = grid.voters("a", "b", "c");
        MeshRaftServer b = nodes.get(1);
        b.submitter().submit(new CreateGridCommand("g1")).get(10, TimeUnit.SECONDS);
        long entriesBefore = b.stateMachine().entriesApplied();
        long sentBefore = b.submitter().entriesSent();

        List<CompletableFuture<Reply>> futures = IntStream.range(0, 500)
                .mapToObj(i -> b.submitter().submit(user(i))).toList();
        CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);

        assertThat(futures).allSatisfy(f -> assertThat(f.join().ok()).isTrue());
        long entries = b.stateMachine().entriesApplied() - entriesBefore;
        assertThat(b.submitter().entriesSent() - sentBefore).isEqualTo(entries);
        assertThat(entries).as("log entries for 500 commands").isLessThan(100).isPositive();
        assertThat(b.image().accounts().user("user-499")).isPresent();
        grid.awaitSameImage(b.image().index());
    }

    @Test
    void aRestartFromTheSameDirectoriesComesBackWithTheSameImage() throws Exception {
        grid = new TestGrid(dir);
        List<MeshRaftServer> nodes = grid.voters("a", "b", "c");
        CommandSubmitter s = nodes.get(2).submitter();
        s.submit(new CreateGridCommand("g1")).get(10, TimeUnit.SECONDS);
        s.submitAll(IntStream.range(0, 40).mapToObj(MeshRaftClusterTest::user).toList()).get(10, TimeUnit.SECONDS);
        long snapshotIndex = 0;
        for (MeshRaftServer n : nodes) {
            snapshotIndex = Math.max(snapshotIndex, n.takeSnapshotNow());
        }
        assertThat(snapshotIndex).isPositive();
        // more writes after the snapshot, so a restart needs snapshot + log replay
        for (int i = 40; i < 60; i++) {
            s.submit(user(i)).get(10, TimeUnit.SECONDS);
        }
        ClusterImage before = grid.awaitSameImage(nodes.get(2).image().index());

        grid.stopAll(List.of("a", "b", "c"));
        for (String id : List.of("a", "b", "c")) {
            grid.restart(id);
        }

        ClusterImage after = grid.awaitSameImage(before.index());
        assertThat(after.index()).isEqualTo(before.index());
        assertThat(after.at()).isEqualTo(before.at());
        assertThat(after.toRecords()).isEqualTo(before.toRecords());
        for (MeshRaftServer n : grid.running()) {
            assertThat(n.stateMachine().loadedSnapshotIndex()).as("snapshot loaded on %s", n.nodeId()).isPositive();
        }
        // and the restarted grid takes writes
        Reply r = grid.get("a").submitter().submit(user(60)).get(10, TimeUnit.SECONDS);
        assertThat(r.ok()).isTrue();
        assertThat(grid.get("a").image().accounts().user("user-60")).isPresent();
    }

    @Test
    void aListenerAddedAfterThePurgeGetsTheStateBySnapshot() throws Exception {
        grid = new TestGrid(dir);
        List<MeshRaftServer> nodes = grid.voters("a", "b", "c");
        CommandSubmitter s = nodes.get(0).submitter();
        s.submit(new CreateGridCommand("g1")).get(10, TimeUnit.SECONDS);
        // one command per entry, so the log spans several 16 KiB segments
        for (int i = 0; i < 150; i++) {
            s.submit(user(i)).get(10, TimeUnit.SECONDS);
        }
        grid.awaitSameImage(nodes.get(0).image().index());
        for (MeshRaftServer n : nodes) {
            n.takeSnapshotNow();
        }
        MeshRaftServer leader = grid.awaitLeader();
        await().atMost(Duration.ofSeconds(10)).until(() -> logStart(leader) > 1);

        MeshRaftServer d = grid.join("d", true);

        ClusterImage image = grid.awaitSameImage(leader.image().index());
        assertThat(d.image().accounts().user("user-149")).isPresent();
        assertThat(d.stateMachine().loadedSnapshotIndex()).as("d installed a snapshot").isPositive();
        assertThat(d.membership().listenerIds()).containsExactly("d");
        assertThat(d.membership().voterIds()).containsExactlyInAnyOrder("a", "b", "c");
        assertThat(d.health().role()).isEqualTo("LISTENER");

        // a listener writes too (the client forwards to the leader) and reads its own write
        Reply r = d.submitter().submit(user(500)).get(10, TimeUnit.SECONDS);
        assertThat(r.ok()).isTrue();
        assertThat(d.image().accounts().user("user-500")).isPresent();
        grid.awaitSameImage(image.index() + 1);
    }

    @Test
    void losingTheLeaderElectsAnotherAndAListenerReplacesTheLostVoter() throws Exception {
        grid = new TestGrid(dir);
        grid.voters("a", "b", "c");
        grid.join("d", true);
        MeshRaftServer oldLeader = grid.awaitLeader();
        oldLeader.submitter().submit(new CreateGridCommand("g1")).get(10, TimeUnit.SECONDS);

        grid.stop(oldLeader.nodeId());
        MeshRaftServer newLeader = grid.awaitLeader();
        assertThat(newLeader.nodeId()).isNotEqualTo(oldLeader.nodeId()).isNotEqualTo("d");

        MeshRaftServer writer = grid.running().stream().filter(n -> !n.isLeader()).findFirst().orElseThrow();
        assertThat(writer.submitter().submit(user(1)).get(10, TimeUnit.SECONDS).ok()).isTrue();
        assertThat(writer.image().accounts().user("user-1")).isPresent();

        await().atMost(Duration.ofSeconds(10)).until(() -> !newLeader.livePeers().contains(oldLeader.nodeId()));
        assertThat(newLeader.rebalanceVoters()).contains("d").doesNotContain(oldLeader.nodeId()).hasSize(3);
        assertThat(grid.get("d").submitter().submit(user(2)).get(10, TimeUnit.SECONDS).ok()).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> grid.get("d").membership().voterIds().contains("d"));
        grid.awaitSameImage(grid.get("d").image().index());
    }

    @Test
    void withoutAMajorityWritesAreRefusedAndAClosedGroupIsReported() throws Exception {
        grid = new TestGrid(dir).withWriteDeadline(Duration.ofMillis(1500)).withAutoRejoin(false);
        grid.voters("a", "b", "c");
        grid.get("a").submitter().submit(new CreateGridCommand("g1")).get(10, TimeUnit.SECONDS);
        grid.stopAll(List.of("b", "c"));

        CompletableFuture<Reply> refused = grid.get("a").submitter().submit(user(1));

        assertThatThrownBy(() -> refused.get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(NoQuorumException.class)
                .hasMessage("no majority of the grid's voters answered within 1500ms;"
                        + " the grid refuses new writes until a majority is back");
        assertThat(grid.get("a").image().accounts().user("user-1")).isEmpty();
        assertThat(grid.get("a").health().status()).isEqualTo(RaftHealth.Status.RUNNING);

        // a group Ratis closed while the process runs is reported, not hidden
        grid.get("a").division().close();
        await().atMost(Duration.ofSeconds(5)).until(() -> grid.get("a").health().status() == RaftHealth.Status.FAILED);
        assertThat(grid.get("a").health().reason()).contains("restart the node");
    }

    @Test
    void aVoterReplacedWhileDownRestartsAsAListenerWhenTheGridSaysSo() throws Exception {
        grid = new TestGrid(dir);
        String replaced = replaceAStoppedVoterWithTheListener();
        MeshRaftServer leader = grid.awaitLeader();
        assertThat(leader.submitter().submit(user(1)).get(10, TimeUnit.SECONDS).ok()).isTrue();

        // a member answered "listener": it restarts as one from its own log and catches up before returning
        MeshRaftServer back = grid.restart(replaced, true);
        assertThat(back.health().role()).isEqualTo("LISTENER");
        assertThat(back.health().status()).isEqualTo(RaftHealth.Status.RUNNING);
        assertThat(back.image().accounts().user("user-1")).isPresent();
        assertThat(back.membership().listenerIds()).contains(replaced);

        // a listener does not campaign: losing the leader leaves it running
        grid.stop(leader.nodeId());
        MeshRaftServer next = grid.awaitLeader();
        assertThat(next.nodeId()).isNotEqualTo(replaced);
        assertThat(next.submitter().submit(user(2)).get(10, TimeUnit.SECONDS).ok()).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> back.image().accounts().user("user-2").isPresent());
        assertThat(back.health().status()).isEqualTo(RaftHealth.Status.RUNNING);
        assertThat(back.health().role()).isEqualTo("LISTENER");
    }

    @Test
    void aReplacedVoterRestartedFromItsOwnLogRejoinsByItselfAsAListener() throws Exception {
        grid = new TestGrid(dir);
        String replaced = replaceAStoppedVoterWithTheListener();
        MeshRaftServer leader = grid.awaitLeader();
        assertThat(leader.submitter().submit(user(1)).get(10, TimeUnit.SECONDS).ok()).isTrue();

        // no member was asked: its log says voter; it campaigns (closing its group on SHUTDOWN) or runs
        // as a FOLLOWER in a listener's place until the watchdog restarts it as a LISTENER
        MeshRaftServer back = grid.restart(replaced);
        await().atMost(Duration.ofSeconds(40)).until(() -> back.health().isRunning()
                && "LISTENER".equals(back.health().role()) && back.image().accounts().user("user-1").isPresent());
        assertThat(back.submitter().submit(user(2)).get(10, TimeUnit.SECONDS).ok()).isTrue();
        assertThat(back.image().accounts().user("user-2")).isPresent();
    }

    @Test
    void aRunningVoterMadeAListenerRestartsItsServerAsAListener() throws Exception {
        grid = new TestGrid(dir);
        grid.voters("a", "b", "c");
        grid.join("d", true);
        MeshRaftServer leader = grid.awaitLeader();
        leader.submitter().submit(new CreateGridCommand("g1")).get(10, TimeUnit.SECONDS);
        String victim = List.of("a", "b", "c").stream().filter(id -> !id.equals(leader.nodeId())).findFirst().orElseThrow();
        MeshRaftServer demoted = grid.get(victim);
        List<Long> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        demoted.addImageListener(image -> seen.add(image.index()));

        Set<String> live = new java.util.TreeSet<>(Set.of("a", "b", "c", "d"));
        live.remove(victim);
        assertThat(leader.rebalanceVoters(live)).contains("d").doesNotContain(victim);

        await().atMost(Duration.ofSeconds(20)).until(() -> demoted.health().isRunning()
                && "LISTENER".equals(demoted.health().role()));
        grid.stop(leader.nodeId());
        MeshRaftServer next = grid.awaitLeader();
        Reply r = next.submitter().submit(user(3)).get(10, TimeUnit.SECONDS);
        assertThat(r.ok()).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> demoted.image().accounts().user("user-3").isPresent());
        await().atMost(Duration.ofSeconds(5)).until(() -> seen.contains(demoted.image().index()));
        assertThat(demoted.health().status()).isEqualTo(RaftHealth.Status.RUNNING);
        assertThat(demoted.health().role()).isEqualTo("LISTENER");
    }

    @Test
    void aGroupClosedUnderARunningNodeIsRejoinedByItself() throws Exception {
        grid = new TestGrid(dir);
        grid.voters("a", "b", "c");
        MeshRaftServer leader = grid.awaitLeader();
        leader.submitter().submit(new CreateGridCommand("g1")).get(10, TimeUnit.SECONDS);
        MeshRaftServer f = grid.running().stream().filter(n -> n != leader).findFirst().orElseThrow();
        List<Long> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        f.addImageListener(image -> seen.add(image.index()));
        // known from the configuration entries it applied, not only once the watchdog has looked
        assertThat(f.knownMembership().voterIds()).containsExactlyInAnyOrder("a", "b", "c");

        f.division().close();
        // the watchdog notices within a second or two; a loaded 2-core CI machine can take longer
        await().atMost(Duration.ofSeconds(15)).until(() -> f.health().status() != RaftHealth.Status.RUNNING);
        assertThat(f.health().status()).isNotEqualTo(RaftHealth.Status.FAILED);
        await().atMost(Duration.ofSeconds(30)).until(() -> f.health().isRunning());
        assertThat(f.health().role()).isEqualTo("FOLLOWER");
        assertThat(f.submitter().submit(user(4)).get(10, TimeUnit.SECONDS).ok()).isTrue();
        assertThat(f.image().accounts().user("user-4")).isPresent();
        await().atMost(Duration.ofSeconds(5)).until(() -> seen.contains(f.image().index()));
    }

    @Test
    void aVoterThatLostItsRaftDataIsDemotedBeforeItRejoinsAndIsPromotedAgain() throws Exception {
        grid = new TestGrid(dir);
        grid.voters("a", "b", "c");
        MeshRaftServer leader = grid.awaitLeader();
        leader.submitter().submit(new CreateGridCommand("g1")).get(10, TimeUnit.SECONDS);
        String lost = List.of("a", "b", "c").stream().filter(id -> !id.equals(leader.nodeId())).findFirst().orElseThrow();
        grid.stop(lost);
        try (var files = java.nio.file.Files.walk(grid.config(lost).raftDir())) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                java.nio.file.Files.delete(p);
            }
        }
        assertThat(leader.submitter().submit(user(5)).get(10, TimeUnit.SECONDS).ok()).isTrue();

        // the grid still counts it a voter, but a server without its log must not vote: it leaves and comes back a listener
        MeshRaftServer back = grid.restart(lost, false);
        assertThat(back.health().role()).isEqualTo("LISTENER");
        assertThat(back.image().accounts().user("user-5")).isPresent();
        assertThat(leader.membership().voterIds()).doesNotContain(lost);

        // caught up, the leader's rebalance makes it a voter again
        assertThat(leader.rebalanceVoters(Set.of("a", "b", "c"))).containsExactlyInAnyOrder("a", "b", "c");
        await().atMost(Duration.ofSeconds(10)).until(() -> "FOLLOWER".equals(back.health().role()));
        assertThat(back.submitter().submit(user(6)).get(10, TimeUnit.SECONDS).ok()).isTrue();
    }

    /**
     * Voters a, b, c and listener d; a voter other than the leader is stopped and the leader swaps
     * it for d (as the failure detector would). Returns the stopped voter's id.
     */
    private String replaceAStoppedVoterWithTheListener() throws Exception {
        grid.voters("a", "b", "c");
        grid.join("d", true);
        MeshRaftServer leader = grid.awaitLeader();
        leader.submitter().submit(new CreateGridCommand("g1")).get(10, TimeUnit.SECONDS);
        String replaced = List.of("a", "b", "c").stream().filter(id -> !id.equals(leader.nodeId())).findFirst()
                .orElseThrow();
        grid.stop(replaced);
        Set<String> live = new java.util.TreeSet<>(Set.of("a", "b", "c", "d"));
        live.remove(replaced);
        assertThat(leader.rebalanceVoters(live)).containsExactlyInAnyOrderElementsOf(live);
        assertThat(leader.membership().listenerIds()).containsExactly(replaced);
        return replaced;
    }

    private static MeshCommand user(int i) {
        return new CreateUserCommand("user-" + i, "hash-" + i, Role.USER, null);
    }

    private static long logStart(MeshRaftServer s) {
        RaftServer.Division d = s.division();
        return d.getRaftLog().getStartIndex();
    }
}
