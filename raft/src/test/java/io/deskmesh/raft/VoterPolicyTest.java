package io.deskmesh.raft;

import org.junit.jupiter.api.Test;

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

    private static Set<String> ids(int n) {
        Set<String> out = new TreeSet<>();
        for (int i = 0; i < n; i++) {
            out.add(String.format("s%02d", i));
        }
        return out;
    }
}
