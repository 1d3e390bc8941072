package io.deskmesh.raft;

import org.apache.ratis.server.DivisionInfo;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.util.LifeCycle;

/**
 * Reads a node's Raft health from its Ratis division and state machine. Stateless, thread-safe.
 * Ratis can close a node's group while the process and its port stay up (after an apply error, a
 * failed snapshot install, or a server that found itself outside every configuration); this is
 * where that becomes visible.
 */
final class HealthProbe {
    private HealthProbe() {
    }

    static RaftHealth probe(String nodeId, RaftServer.Division division, MeshStateMachine stateMachine) {
        String smFailure = stateMachine.failure().orElse(null);
        DivisionInfo info = division.getInfo();
        String leader = info.getLeaderId() == null ? "" : info.getLeaderId().toString();
        String reason = smFailure != null ? smFailure : closedReason(nodeId, info.getLifeCycleState());
        LifeCycle.State state = info.getLifeCycleState();
        RaftHealth.Status status = reason != null ? RaftHealth.Status.FAILED
                : state == LifeCycle.State.NEW || state == LifeCycle.State.STARTING ? RaftHealth.Status.STARTING
                : RaftHealth.Status.RUNNING;
        return new RaftHealth(status, reason == null ? "" : reason, info.getCurrentRole().name(), leader,
                stateMachine.appliedIndex(), info.getCurrentTerm());
    }

    static RaftHealth unreachable(String nodeId, MeshStateMachine stateMachine, Exception e) {
        String reason = stateMachine.failure().orElse("the Raft group of node '" + nodeId
                + "' is gone from its server (" + e.getMessage() + "); restart the node");
        return new RaftHealth(RaftHealth.Status.FAILED, reason, "NONE", "", stateMachine.appliedIndex(), 0);
    }

    /**
     * A voter moved to the listeners keeps running as FOLLOWER in Ratis 3.3 (it never moves a server
     * from FOLLOWER to LISTENER at run time); if its leader is lost it starts an election, finds
     * itself in no voting configuration and closes its group. A restart of its Ratis server from a
     * log that names it a listener brings it back as LISTENER ({@code MeshRaftServer} does that).
     */
    static boolean isDemotedVoter(String nodeId, RaftServer.Division division) {
        DivisionInfo info = division.getInfo();
        return !info.isListener() && !info.isLeader() && Membership.isStable(division.getRaftConf())
                && Membership.of(division.getRaftConf()).listenerIds().contains(nodeId);
    }

    private static String closedReason(String nodeId, LifeCycle.State state) {
        if (state.isClosingOrClosed() || state == LifeCycle.State.EXCEPTION) {
            return "the Raft group of node '" + nodeId + "' is " + state
                    + " although the process runs; restart the node (its log says why the group closed)";
        }
        return null;
    }
}
