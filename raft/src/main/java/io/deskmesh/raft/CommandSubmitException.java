package io.deskmesh.raft;

/**
 * A write failed for a reason other than a missing majority: the submitter was closed, the leader
 * could not decode the entry, or this node did not apply a committed write in time. The message says
 * which, with the index when one is known.
 */
public final class CommandSubmitException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CommandSubmitException(String message) {
        super(message);
    }

    public CommandSubmitException(String message, Throwable cause) {
        super(message, cause);
    }
}
