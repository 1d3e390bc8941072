package io.deskmesh.raft;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static io.deskmesh.raft.VoterPolicyTest.members;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The changer's retry loop against an in-memory group whose membership moves between attempts. */
class MembershipChangerTest {

    /** A group with compare-and-set semantics; {@code onSet} may change the membership first (a racing change). */
    private static final class FakeGroup implements MembershipChanger.Group {
        Membership membership;
        Runnable beforeNextSet;
        final List<Membership> sets = new ArrayList<>();

        FakeGroup(Membership membership) {
            this.membership = membership;
        }

        @Override
        public Membership current() {
            return membership;
        }

        @Override
        public Exception compareAndSet(Membership expected, Membership next) {
            if (beforeNextSet != null) {
                Runnable race = beforeNextSet;
                beforeNextSet = null;
                race.run();
            }
            if (!membership.equals(expected)) {
                return new IOException("compare-and-set failed: the membership is " + membership);
            }
            membership = next;
            sets.add(next);
            return null;
        }
    }

    @Test
    void aRebalanceRetriedAfterAJoinIsRecomputedFromTheNewMembership() throws Exception {
        // node3 has joined as a voter; node2's join races the leader's rebalance, as in the 3-node IT.
        FakeGroup group = new FakeGroup(members(List.of("node1", "node3"), List.of()));
        group.beforeNextSet = () -> group.membership = members(List.of("node1", "node2", "node3"), List.of());
        List<Membership> seen = new ArrayList<>();

        Membership result = new MembershipChanger(group).change("rebalance voters", m -> {
            seen.add(m);
            return VoterPolicy.step(m, Set.of("node1"));
        }, Duration.ofSeconds(5));

        assertThat(seen).extracting(Membership::voterIds)
                .containsExactly(Set.of("node1", "node3"), Set.of("node1", "node2", "node3"));
        assertThat(group.sets).as("nothing demoted").isEmpty();
        assertThat(result.voterIds()).containsExactly("node1", "node2", "node3");
        assertThat(group.membership.voterIds()).containsExactly("node1", "node2", "node3");
    }

    @Test
    void aStepRetriedAfterTheMembershipMovedChangesOneVoterOfTheNewMembership() throws Exception {
        // Two voters of two servers: the first attempt wants to drop b; meanwhile c joins as a
        // listener, and the retry instead adds c (a fixed step would have left voters [a] of three).
        FakeGroup group = new FakeGroup(members(List.of("a", "b"), List.of()));
        group.beforeNextSet = () -> group.membership = members(List.of("a", "b"), List.of("c"));
        List<Membership> wanted = new ArrayList<>();

        Membership result = new MembershipChanger(group).change("rebalance voters", m -> {
            Membership next = VoterPolicy.step(m, Set.of("a", "b", "c"));
            wanted.add(next);
            return next;
        }, Duration.ofSeconds(5));

        assertThat(wanted).extracting(Membership::voterIds).containsExactly(Set.of("a"), Set.of("a", "b", "c"));
        assertThat(group.sets).hasSize(1);
        assertThat(result.voterIds()).containsExactly("a", "b", "c");
        assertThat(result.listenerIds()).isEmpty();
    }

    @Test
    void aChangeAlreadyInPlaceSetsNothing() throws Exception {
        FakeGroup group = new FakeGroup(members(List.of("a", "b", "c"), List.of()));

        Membership result = new MembershipChanger(group).change("add b as a voter",
                m -> m.with(new Membership.Peer("b", "b:1"), false), Duration.ofSeconds(5));

        assertThat(result).isEqualTo(group.membership);
        assertThat(group.sets).isEmpty();
    }

    @Test
    void aChangeThatNeverSucceedsFailsWithTheLastReason() {
        MembershipChanger.Group refusing = new MembershipChanger.Group() {
            @Override
            public Membership current() {
                return members(List.of("a"), List.of());
            }

            @Override
            public Exception compareAndSet(Membership expected, Membership next) {
                return new IOException("reconfiguration in progress");
            }
        };

        assertThatThrownBy(() -> new MembershipChanger(refusing).change("add b as a voter",
                m -> m.with(new Membership.Peer("b", "b:1"), false), Duration.ofMillis(400)))
                .isInstanceOf(IOException.class)
                .hasMessageStartingWith("could not add b as a voter within 0s: reconfiguration in progress");
    }
}
