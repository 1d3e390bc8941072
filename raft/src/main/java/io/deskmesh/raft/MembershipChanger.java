package io.deskmesh.raft;

import org.apache.ratis.client.RaftClient;
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
 * Changes the group's configuration safely: reads the leader's current membership, computes the new
 * one and sets it with compare-and-set, retrying (re-reading) while another change is in progress or
 * the membership moved underneath. Not thread-safe; use one per change.
 */
final class MembershipChanger {
    private static final Logger LOG = LoggerFactory.getLogger(MembershipChanger.class);

    private final RaftClient client;
    private final RaftGroupId groupId;
    private final List<RaftPeer> contacts;
    private final Supplier<Membership> local;

    /**
     * @param contacts peers to ask for the current membership
     * @param local    the membership when this node is the leader with a settled configuration, else null
     */
    MembershipChanger(RaftClient client, RaftGroupId groupId, List<RaftPeer> contacts, Supplier<Membership> local) {
        this.client = client;
        this.groupId = groupId;
        this.contacts = contacts;
        this.local = local;
    }

    void change(String what, UnaryOperator<Membership> change, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        for (int attempt = 1; System.nanoTime() < deadline; attempt++) {
            try {
                Membership current = current();
                Membership next = change.apply(current);
                if (next.equals(current)) {
                    return;
                }
                RaftClientReply reply = client.admin().setConfiguration(SetConfigurationRequest.Arguments.newBuilder()
                        .setServersInCurrentConf(current.raftVoters())
                        .setListenersInCurrentConf(current.raftListeners())
                        .setServersInNewConf(next.raftVoters())
                        .setListenersInNewConf(next.raftListeners())
                        .setMode(SetConfigurationRequest.Mode.COMPARE_AND_SET)
                        .build());
                if (reply.isSuccess()) {
                    LOG.info("membership changed ({}): voters {} listeners {}", what, next.voterIds(), next.listenerIds());
                    return;
                }
                last = reply.getException();
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
        Membership mine = local.get();
        if (mine != null) {
            return mine;
        }
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
                    return Membership.of(info.getConf().get());
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

    private static void sleep(long ms) throws InterruptedIOException {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while changing membership");
        }
    }
}
