package io.deskmesh.node;

import io.deskmesh.raft.Membership;
import io.deskmesh.raft.VoterPolicy;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The member's answer to a join: the same voter choice as the leader's rebalance. */
class JoinProtocolTest {
    private static final String TOKEN = "join-protocol-test-token";

    @Test
    void theSecondServerListensBecauseTwoServersKeepOneVoter() {
        JoinProtocol.JoinResponse r = answer("node2", members(List.of("node1"), List.of()));
        assertThat(r.asListener()).isTrue();
        assertThat(r.member()).isFalse();
        assertThat(r.gridId()).isEqualTo("grid-1");
        assertThat(r.peers()).extracting(Membership.Peer::id).containsExactly("node1");
    }

    @Test
    void theThirdServerVotesAndTheRebalanceThenPromotesTheSecond() {
        Membership two = members(List.of("node1"), List.of("node2"));
        assertThat(answer("node3", two).asListener()).isFalse();

        // after node3 joined as a voter the leader's rebalance agrees: node2 is promoted, nobody demoted
        Membership three = two.with(new Membership.Peer("node3", "node3:1"), false);
        Membership next = VoterPolicy.step(three, Set.of("node1", "node2", "node3"));
        assertThat(next.voterIds()).containsExactlyInAnyOrder("node1", "node2", "node3");
    }

    @Test
    void twoServersJoiningAtOnceThroughOneMemberGetOneListenerAndOneVoter() {
        // both ask while the grid still is node1 alone: the member counts the newcomer it just answered
        Membership one = members(List.of("node1"), List.of());
        JoinProtocol.RecentJoins recent = new JoinProtocol.RecentJoins();
        assertThat(answer("node2", one, recent, 1_000).asListener()).isTrue();
        assertThat(answer("node3", one, recent, 1_200).asListener()).isFalse();

        // node3 joins as a voter (as a FOLLOWER, which votes at once), then the rebalance promotes node2
        // safely: node1 and node3 elect a leader of the three without node2
        Membership m = members(List.of("node1", "node3"), List.of("node2"));
        Set<String> all = Set.of("node1", "node2", "node3");
        assertThat(VoterPolicy.step(m, all).voterIds()).containsExactlyInAnyOrder("node1", "node2", "node3");
    }

    @Test
    void aNewcomerAnsweredLongAgoOrAlreadyAMemberIsNoLongerPending() {
        Membership one = members(List.of("node1"), List.of());
        JoinProtocol.RecentJoins recent = new JoinProtocol.RecentJoins();
        answer("node2", one, recent, 0);
        assertThat(recent.pending(one, JoinProtocol.RecentJoins.REMEMBER_MS + 1)).isEmpty();
        answer("node2", one, recent, 100_000);
        assertThat(recent.pending(one, 100_001)).containsExactly("node2");
        assertThat(recent.pending(members(List.of("node1"), List.of("node2")), 100_002)).isEmpty();
        // asking again is not counted twice
        assertThat(answer("node2", one, recent, 100_003).asListener()).isTrue();
    }

    @Test
    void aLoneVoterWithListenersGetsItsSecondVoterByAJoin() {
        // joins through different members left two listeners: the rebalance cannot promote them
        // safely, so the next newcomer votes
        Membership m = members(List.of("a"), List.of("b", "c"));
        assertThat(VoterPolicy.step(m, Set.of("a", "b", "c"))).isSameAs(m);
        assertThat(answer("d", m).asListener()).isFalse();
        Membership next = members(List.of("a", "d"), List.of("b", "c"));
        Membership promoted = VoterPolicy.step(next, Set.of("a", "b", "c", "d"));
        assertThat(promoted.voterIds()).hasSize(3).contains("a", "d");
    }

    @Test
    void aFourthServerListensWhenThreeVote() {
        assertThat(answer("node4", members(List.of("node1", "node2", "node3"), List.of())).asListener()).isTrue();
    }

    @Test
    void aServerJoiningAGridWithTooFewVotersVotes() {
        // three voters wanted, two there: the newcomer is among the policy's choice
        Membership m = members(List.of("a", "b"), List.of());
        assertThat(answer("c", m).asListener()).isFalse();
        // five servers, one voter (say, after removals): the lone voter needs a joining voter
        Membership lone = members(List.of("a"), List.of("b", "c", "d"));
        assertThat(answer("e", lone).asListener()).isFalse();
        assertThat(answer("b", lone).asListener()).as("an existing listener keeps its role").isTrue();
    }

    @Test
    void theJoinDecisionIsTheVoterPolicysChoiceWithTheNewcomerLiveUnlessALoneVoterNeedsCompany() {
        String[] ids = {"a", "b", "c", "d", "e", "f", "g"};
        java.util.Random random = new java.util.Random(7);
        for (int round = 0; round < 300; round++) {
            List<String> voters = new java.util.ArrayList<>();
            List<String> listeners = new java.util.ArrayList<>();
            for (String id : ids) {
                switch (random.nextInt(3)) {
                    case 0 -> voters.add(id);
                    case 1 -> listeners.add(id);
                    default -> { }
                }
            }
            Membership m = members(voters, listeners);
            Set<String> all = new TreeSet<>(m.allIds());
            all.add("new");
            java.util.SortedSet<String> target = VoterPolicy.choose(m.voterIds(), all, all);
            boolean votes = target.contains("new") || (m.voterIds().size() <= 1 && target.size() > 1);
            assertThat(JoinProtocol.joinsAsListener(m, "new")).as("%s", m).isEqualTo(!votes);
        }
    }

    @Test
    void anExistingMemberIsToldItsCurrentRole() {
        Membership m = members(List.of("node2", "node3", "node4"), List.of("node1"));
        JoinProtocol.JoinResponse listener = answer("node1", m);
        assertThat(listener.member()).isTrue();
        assertThat(listener.asListener()).isTrue();
        assertThat(listener.peers()).extracting(Membership.Peer::id).containsExactly("node2", "node3", "node4");
        JoinProtocol.JoinResponse voter = answer("node3", m);
        assertThat(voter.member()).isTrue();
        assertThat(voter.asListener()).isFalse();
    }

    @Test
    void aWrongTokenIsRefused() {
        assertThatThrownBy(() -> JoinProtocol.answer(new JoinProtocol.JoinRequest("x", "x:1", "wrong-token-0123456"),
                "grid-1", TOKEN, members(List.of("a"), List.of()))).isInstanceOf(SecurityException.class);
        assertThatThrownBy(() -> JoinProtocol.answer(new JoinProtocol.JoinRequest("x", "x:1", null),
                "grid-1", TOKEN, members(List.of("a"), List.of()))).isInstanceOf(SecurityException.class);
    }

    @Test
    void anAnswerFromAMemberThatDoesNotKnowTheMemberFieldReadsAsNotAMember() throws Exception {
        JoinProtocol.JoinResponse r = JoinProtocol.JSON.readValue(
                "{\"gridId\":\"g\",\"peers\":[{\"id\":\"a\",\"address\":\"a:1\"}],\"asListener\":true,\"extra\":1}",
                JoinProtocol.JoinResponse.class);
        assertThat(r.member()).isFalse();
        assertThat(r.asListener()).isTrue();
        String json = JoinProtocol.JSON.writeValueAsString(answer("b", members(List.of("a"), List.of())));
        assertThat(JoinProtocol.JSON.readValue(json, JoinProtocol.JoinResponse.class))
                .isEqualTo(answer("b", members(List.of("a"), List.of())));
    }

    @Test
    void theFailureDetectorHoldsBackOnlyStepsThatLeaveFewerVoters() {
        // a node restarting without its log has just left a 3-server grid: 2 servers would keep 1 voter
        Membership left = members(List.of("a", "b"), List.of());
        Set<String> live = Set.of("a", "b");
        assertThat(FailureDetector.shrinksVoters(left, VoterPolicy.step(left, live))).isTrue();
        // a newcomer told "voter" because another newcomer was pending, added first: not demoted at once
        Membership early = members(List.of("node1", "node2"), List.of());
        assertThat(FailureDetector.shrinksVoters(early, VoterPolicy.step(early, Set.of("node1")))).isTrue();
        // promoting, or swapping a dead voter for a live listener, is never held back
        Membership growing = members(List.of("a", "b"), List.of("c"));
        Set<String> all = Set.of("a", "b", "c");
        assertThat(FailureDetector.shrinksVoters(growing, VoterPolicy.step(growing, all))).isFalse();
        Membership deadVoter = members(List.of("a", "b", "c"), List.of("d"));
        Set<String> live3 = Set.of("b", "c", "d");
        assertThat(FailureDetector.shrinksVoters(deadVoter, VoterPolicy.step(deadVoter, live3))).isFalse();
    }

    private static JoinProtocol.JoinResponse answer(String name, Membership m) {
        return JoinProtocol.answer(new JoinProtocol.JoinRequest(name, name + ":1", TOKEN), "grid-1", TOKEN, m);
    }

    private static JoinProtocol.JoinResponse answer(String name, Membership m, JoinProtocol.RecentJoins recent, long now) {
        return JoinProtocol.answer(new JoinProtocol.JoinRequest(name, name + ":1", TOKEN), "grid-1", TOKEN, m, recent, now);
    }

    private static Membership members(List<String> voters, List<String> listeners) {
        return new Membership(voters.stream().map(id -> new Membership.Peer(id, id + ":1")).toList(),
                listeners.stream().map(id -> new Membership.Peer(id, id + ":1")).toList());
    }
}
