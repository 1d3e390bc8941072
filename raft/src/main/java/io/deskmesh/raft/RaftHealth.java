package io.deskmesh.raft;

/**
 * What a node's Raft layer can tell a health check. Immutable.
 *
 * @param status       whether the node serves the grid's log
 * @param reason       why it does not: empty while RUNNING, and while STARTING unless the node is rejoining
 *                     the grid by itself (then why, and how far it got)
 * @param role         LEADER, FOLLOWER, LISTENER, CANDIDATE, or NONE when unknown
 * @param leaderId     the current leader as this node knows it, or empty when none is known
 * @param appliedIndex the last log index this node applied (metadata entries included)
 * @param term         the current Raft term as this node knows it
 */
public record RaftHealth(Status status, String reason, String role, String leaderId, long appliedIndex, long term) {

    public enum Status {
        /**
         * The server is not started, has not yet heard from a leader since it started (a new node
         * waiting to be added), or is restarting itself to rejoin the grid ({@link #reason} says why).
         */
        STARTING,
        /** The node applies the grid's log. */
        RUNNING,
        /** The node stopped serving and will not recover by itself; {@link #reason} says why and what to do. */
        FAILED,
        /** The node was shut down on purpose. */
        CLOSED
    }

    public boolean isRunning() {
        return status == Status.RUNNING;
    }
}
