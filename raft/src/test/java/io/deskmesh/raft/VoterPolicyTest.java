package io.deskmesh.raft;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

class VoterPolicyTest {

    @Test
    void aLoneServerVotesAlone() {
        assertThat(VoterPolicy.choose(Set.of("a"), Set.of("a"), Set.of("a"))).containsExactly("a");
    }

    @Test
    void twoServersKeepOneVoterSoTheCountStaysOdd() {
        assertThat(VoterPolicy.choose(Set.of("a"), Set.of("a", "b"), Set.of("a", "b"))).containsExactly("a");
    }

    @Test
    void threeServersAllVote() {
        assertThat(VoterPolicy.choose(Set.of("a"), Set.of("a", "b", "c"), Set.of("a", "b", "c")))
                .containsExactly("a", "b", "c");
    }

    @Test
    void fourServersKeepThreeVotersAndPreferTheCurrentOnes() {
        assertThat(VoterPolicy.choose(Set.of("b", "c", "d"), Set.of("a", "b", "c", "d"), Set.of("a", "b", "c", "d")))
                .containsExactly("b", "c", "d");
    }

    @Test
    void largeGridsStopAtFiveVoters() {
        Set<String> all = Set.of("s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9");
        SortedSet<String> voters = VoterPolicy.choose(Set.of("s9", "s1", "s2"), all, all);
        assertThat(voters).hasSize(5).contains("s9", "s1", "s2");
        assertThat(voters).containsExactly("s1", "s2", "s3", "s4", "s9");
    }

    @Test
    void aDeadVoterIsReplacedByALiveListener() {
        Set<String> voters = Set.of("a", "b", "c");
        Set<String> all = Set.of("a", "b", "c", "d");
        assertThat(VoterPolicy.choose(voters, all, Set.of("a", "b", "d"))).containsExactly("a", "b", "d");
    }

    @Test
    void deadVotersStayWhenNoLiveReplacementExistsRatherThanShrinkingBelowThree() {
        assertThat(VoterPolicy.choose(Set.of("a", "b", "c"), Set.of("a", "b", "c"), Set.of("a", "b")))
                .containsExactly("a", "b", "c");
    }

    @Test
    void fiveVotersWithTwoLostShrinkToTheThreeLiveOnes() {
        Set<String> five = Set.of("a", "b", "c", "d", "e");
        assertThat(VoterPolicy.choose(five, five, Set.of("a", "c", "e"))).containsExactly("a", "c", "e");
    }

    @Test
    void theCountIsAlwaysOddAndAtMostFive() {
        for (int peers = 1; peers <= 12; peers++) {
            for (int live = 0; live <= peers; live++) {
                Set<String> all = ids(peers);
                Set<String> alive = ids(live);
                SortedSet<String> chosen = VoterPolicy.choose(Set.of("s00"), all, alive);
                assertThat(chosen.size() % 2).as("peers=%d live=%d -> %s", peers, live, chosen).isEqualTo(1);
                assertThat(chosen.size()).isLessThanOrEqualTo(5);
                assertThat(all).containsAll(chosen);
                if (peers >= 3) {
                    assertThat(chosen.size()).isGreaterThanOrEqualTo(3);
                }
                if (live >= chosen.size()) {
                    assertThat(alive).as("peers=%d live=%d", peers, live).containsAll(chosen);
                }
            }
        }
    }

    @Test
    void theChoiceDoesNotDependOnInputOrder() {
        Set<String> a = new TreeSet<>(Set.of("x", "y", "z", "w", "v", "u"));
        Set<String> b = new java.util.LinkedHashSet<>(java.util.List.of("u", "z", "v", "x", "w", "y"));
        assertThat(VoterPolicy.choose(Set.of("z"), a, Set.of("u", "v", "z")))
                .isEqualTo(VoterPolicy.choose(Set.of("z"), b, Set.of("z", "v", "u")));
    }

    @Test
    void stepsAddOneVoterAtATimeWhenGrowing() {
        SortedSet<String> step1 = VoterPolicy.nextStep(Set.of("a"), Set.of("a", "b", "c"));
        assertThat(step1).containsExactly("a", "b");
        assertThat(VoterPolicy.nextStep(step1, Set.of("a", "b", "c"))).containsExactly("a", "b", "c");
    }

    @Test
    void stepsSwapOneVoterWhenReplacing() {
        assertThat(VoterPolicy.nextStep(Set.of("a", "b", "c"), Set.of("a", "b", "d"))).containsExactly("a", "b", "d");
    }

    @Test
    void stepsRemoveOneVoterAtATimeWhenShrinking() {
        assertThat(VoterPolicy.nextStep(Set.of("a", "b", "c", "d", "e"), Set.of("a", "b", "c")))
                .containsExactly("a", "b", "c", "d");
    }

    @Test
    void aStepAtTheTargetIsTheTarget() {
        assertThat(VoterPolicy.nextStep(Set.of("a", "b", "c"), Set.of("c", "b", "a"))).containsExactly("a", "b", "c");
    }

    // ---- step: one reconfiguration from a membership -----------------------------------------

    @Test
    void aStepIsWorkedOutFromTheMembershipItIsGiven() {
        // The race of the 3-node join: a step worked out for {node1, node3} shrank the voters to node1;
        // for the membership after node2 joined, the voters are already the target and nothing changes.
        Membership before = members(List.of("node1", "node3"), List.of());
        assertThat(VoterPolicy.step(before, Set.of("node1")).voterIds()).containsExactly("node1");
        Membership afterJoin = members(List.of("node1", "node2", "node3"), List.of());
        assertThat(VoterPolicy.step(afterJoin, Set.of("node1"))).isSameAs(afterJoin);
    }

    @Test
    void aStepAddsOneVoterAtATimeAndKeepsEveryPeer() {
        Membership m = members(List.of("a", "b"), List.of("c", "d"));
        Membership next = VoterPolicy.step(m, Set.of("a", "b", "c", "d"));
        assertThat(next.voterIds()).containsExactly("a", "b", "c");
        assertThat(next.listenerIds()).containsExactly("d");
        assertThat(VoterPolicy.step(next, Set.of("a", "b", "c", "d"))).isSameAs(next);
    }

    @Test
    void aLoneVoterIsNeverGrownByPromotingAListener() {
        // {a} -> {a, b} needs b's vote, which Ratis refuses until b learns it votes: no leader could
        // be elected should a step down before that. The second voter comes by a join instead.
        Membership m = members(List.of("a"), List.of("b", "c"));
        assertThat(VoterPolicy.step(m, Set.of("a", "b", "c"))).isSameAs(m);
        assertThat(VoterPolicy.electableWithoutNewVoters(Set.of("a"), Set.of("a", "b"), Set.of("a", "b"))).isFalse();
        assertThat(VoterPolicy.electableWithoutNewVoters(Set.of("a", "c"), Set.of("a", "b", "c"), Set.of("a", "c")))
                .isTrue();
    }

    @Test
    void aVoterTheLeaderHearsCountsBeforeTheGridsImageKnowsIt() {
        // node3 has just joined as a voter: the failure detector does not know it yet, Raft does
        Membership m = members(List.of("node1", "node3"), List.of("node2"));
        assertThat(VoterPolicy.step(m, Set.of("node1"), Set.of("node1")).voterIds()).hasSize(2);
        assertThat(VoterPolicy.step(m, Set.of("node1"), Set.of("node1", "node3")).voterIds())
                .containsExactlyInAnyOrder("node1", "node2", "node3");
    }

    @Test
    void aPromotionThatWouldNeedTheNewVoterBecauseAVoterIsDeadWaits() {
        // voters a, b (b dead): {a, b, c} would need a and c, and c does not vote yet
        Membership m = members(List.of("a", "b"), List.of("c"));
        assertThat(VoterPolicy.step(m, Set.of("a", "c"))).isSameAs(m);
    }

    @Test
    void aStepSwapsADeadVoterForALiveListener() {
        Membership m = members(List.of("a", "b", "c"), List.of("d"));
        Membership next = VoterPolicy.step(m, Set.of("b", "c", "d"));
        assertThat(next.voterIds()).containsExactly("b", "c", "d");
        assertThat(next.listenerIds()).containsExactly("a");
    }

    @Test
    void aStepKeepsTheAddressOfEveryPeer() {
        Membership m = members(List.of("a", "b"), List.of("c"));
        Membership next = VoterPolicy.step(m, Set.of("a", "b", "c"));
        assertThat(next.peer("c")).contains(new Membership.Peer("c", "c:1"));
        assertThat(next.allIds()).containsExactlyInAnyOrder("a", "b", "c");
    }

    @Test
    void everyStepChangesAtMostOneVoterEachWay() {
        java.util.Random random = new java.util.Random(42);
        for (int round = 0; round < 500; round++) {
            List<String> voters = new java.util.ArrayList<>();
            List<String> listeners = new java.util.ArrayList<>();
            Set<String> live = new TreeSet<>();
            int n = 1 + random.nextInt(9);
            for (int i = 0; i < n; i++) {
                String id = "s" + i;
                (random.nextInt(3) == 0 ? voters : listeners).add(id);
                if (random.nextInt(4) != 0) {
                    live.add(id);
                }
            }
            Membership m = members(voters, listeners);
            for (int step = 0; step < 20; step++) {
                Membership next = VoterPolicy.step(m, live);
                if (!next.equals(m)) {
                    assertThat(VoterPolicy.electableWithoutNewVoters(m.voterIds(), next.voterIds(), live))
                            .as("electable without the new voters: %s -> %s", m, next).isTrue();
                }
                Set<String> added = new TreeSet<>(next.voterIds());
                added.removeAll(m.voterIds());
                Set<String> removed = new TreeSet<>(m.voterIds());
                removed.removeAll(next.voterIds());
                assertThat(added).as("added in %s -> %s", m, next).hasSizeLessThanOrEqualTo(1);
                assertThat(removed).as("removed in %s -> %s", m, next).hasSizeLessThanOrEqualTo(1);
                assertThat(next.allIds()).containsExactlyInAnyOrderElementsOf(m.allIds());
                if (next.equals(m)) {
                    break;
                }
                m = next;
            }
            assertThat(VoterPolicy.step(m, live)).as("settled after 20 steps").isSameAs(m);

        }
    }

    static Membership members(List<String> voters, List<String> listeners) {
        return new Membership(voters.stream().map(id -> new Membership.Peer(id, id + ":1")).toList(),
                listeners.stream().map(id -> new Membership.Peer(id, id + ":1")).toList());
    }

    private static Set<String> ids(int n) {
        Set<String> out = new TreeSet<>();
        for (int i = 0; i < n; i++) {
            out.add(String.format("s%02d", i));
        }
        return out;
    }
}
