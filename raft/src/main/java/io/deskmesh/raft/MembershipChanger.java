package io.deskmesh.raft;

import org.apache.ratis.client.RaftClient;
import org.apache.ratis.proto.RaftProtos.CommitInfoProto;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.proto.RaftProtos.RoleInfoProto;
import org.apache.ratis.protocol.GroupInfoReply;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.SetConfigurationRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * Changes the group's configuration safely: reads the leader's current membership, applies the
 * change function to it and sets the result with compare-and-set, retrying (re-reading, and
 * re-applying the function to what it reads) while another change is in progress or the membership
 * moved underneath. The change function is therefore a function of the membership at each attempt,
 * never a fixed target worked out earlier. Not thread-safe; use one per change.
 */
final class MembershipChanger {
    private static final Logger LOG = LoggerFactory.getLogger(MembershipChanger.class);

    /** The group's configuration as a change sees it (the Raft group, or a fake in tests). */
    interface Group {
        /** The membership as the leader has it now. */
        Membership current() throws IOException;

        /**
         * Sets {@code next} if the membership is still {@code expected}; returns null when it did,
         * else why not (another change in progress, the membership moved, no leader).
         */
        Exception compareAndSet(Membership expected, Membership next) throws IOException;
    }

    private final Group group;

    /**
     * @param contacts peers to ask for the current membership
     * @param local    the membership when this node is the leader with a settled configuration, else null
     */
    MembershipChanger(RaftClient client, RaftGroupId groupId, List<RaftPeer> contacts, Supplier<Membership> local) {
        this(new RatisGroup(client, groupId, contacts, local));
    }

    MembershipChanger(Group group) {
        this.group = group;
    }

    /**
     * Applies {@code change} to the membership current at each attempt and sets the result, until
     * one attempt succeeds or the change function returns the membership unchanged. Returns the
     * membership set (or the unchanged one).
     */
    Membership change(String what, UnaryOperator<Membership> change, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        for (int attempt = 1; System.nanoTime() < deadline; attempt++) {
            try {
                Membership current = group.current();
                Membership next = change.apply(current);
                if (next.equals(current)) {
                    return current;
                }
                last = group.compareAndSet(current, next);
                if (last == null) {
                    LOG.info("membership changed ({}): voters {} listeners {}", what, next.voterIds(), next.listenerIds());
                    return next;
                }
            } catch (InterruptedIOException e) {
                throw e;
            } catch (IOException | RuntimeException e) {
                last = e; // gRPC errors surface as unchecked StatusRuntimeException
            }
            LOG.debug("attempt {} to {} failed; retrying", attempt, what, last);
            sleep(Math.min(1000, 100L * attempt));
        }
        throw new IOException("could not " + what + " within " + timeout.toSeconds() + "s: "
                + (last == null ? "no answer" : last.getMessage())
                + "; check that a majority of voters is up and the new peer's server runs", last);
    }

    /** The membership as the leader has it; asks the leader when this node is not it. */
    Membership current() throws IOException {
        return group.current();
    }

    /** Waits, sleeping 50 ms between checks, until {@code condition} holds. */
    static void await(BooleanSupplier condition, Duration timeout, String what) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IOException("timed out after " + timeout.toSeconds() + "s waiting for " + what);
            }
            sleep(50);
        }
    }

    static void sleep(long ms) throws InterruptedIOException {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while changing membership");
        }
    }

    /** The real group: asks the leader (found through the contacts) and sets configurations through it. */
    static final class RatisGroup implements Group {
        private final RaftClient client;
        private final RaftGroupId groupId;
        private final List<RaftPeer> contacts;
        private final Supplier<Membership> local;

        RatisGroup(RaftClient client, RaftGroupId groupId, List<RaftPeer> contacts, Supplier<Membership> local) {
            this.client = client;
            this.groupId = groupId;
            this.contacts = contacts;
            this.local = local;
        }

        @Override
        public Membership current() throws IOException {
            Membership mine = local.get();
            if (mine != null) {
                return mine;
            }
            GroupInfoReply info = leaderInfo();
            return Membership.of(info.getConf().orElseThrow());
        }

        @Override
        public Exception compareAndSet(Membership expected, Membership next) throws IOException {
            RaftClientReply reply = client.admin().setConfiguration(SetConfigurationRequest.Arguments.newBuilder()
                    .setServersInCurrentConf(expected.raftVoters())
                    .setListenersInCurrentConf(expected.raftListeners())
                    .setServersInNewConf(next.raftVoters())
                    .setListenersInNewConf(next.raftListeners())
                    .setMode(SetConfigurationRequest.Mode.COMPARE_AND_SET)
                    .build());
            return reply.isSuccess() ? null
                    : reply.getException() != null ? reply.getException() : new IOException("refused: " + reply);
        }

        /** The leader's commit index, as the leader reports it. */
        long leaderCommitIndex() throws IOException {
            GroupInfoReply info = leaderInfo();
            String leader = info.getRoleInfoProto().getSelf().getId().toStringUtf8();
            for (CommitInfoProto c : info.getCommitInfos()) {
                if (c.getServer().getId().toStringUtf8().equals(leader)) {
                    return c.getCommitIndex();
                }
            }
            throw new IOException("leader " + leader + " did not report its commit index");
        }

        /** The group info of the leader, found by asking the contacts and following their leader hints. */
        GroupInfoReply leaderInfo() throws IOException {
            List<RaftPeerId> ask = new ArrayList<>(contacts.stream().map(RaftPeer::getId).toList());
            Exception last = null;
            for (int i = 0; i < ask.size() && i < 16; i++) {
                try {
                    GroupInfoReply info = client.getGroupManagementApi(ask.get(i)).info(groupId);
                    RoleInfoProto role = info.getRoleInfoProto();
                    // Learn every member's address, so the leader can be asked even when it was no contact.
                    info.getConf().ifPresent(conf -> {
                        Membership m = Membership.of(conf);
                        client.getClientRpc().addRaftPeers(m.raftVoters());
                        client.getClientRpc().addRaftPeers(m.raftListeners());
                    });
                    if (role.getRole() == RaftPeerRole.LEADER && info.getConf().isPresent()) {
                        return info;
                    }
                    if (role.hasFollowerInfo() && role.getFollowerInfo().hasLeaderInfo()
                            && !role.getFollowerInfo().getLeaderInfo().getId().getId().isEmpty()) {
                        RaftPeerId leader = RaftPeerId.valueOf(role.getFollowerInfo().getLeaderInfo().getId().getId());
                        if (!ask.subList(0, i + 1).contains(leader)) {
                            ask.add(i + 1, leader);
                        }
                    }
                } catch (IOException | RuntimeException e) {
                    last = e;
                }
            }
            throw new IOException("found no leader among " + ask, last);
        }
    }
}
