package io.deskmesh.raft;

import java.time.Duration;

/**
 * A write was refused because no majority of the grid's voters answered in time. The outcome of the
 * refused write is unknown: if it reached the leader's log it may still commit once a majority is
 * back, so a caller that retries must tolerate the first attempt having landed.
 */
public final class NoQuorumException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public NoQuorumException(Duration deadline, Throwable cause) {
        super("no majority of the grid's voters answered within " + format(deadline)
                + "; the grid refuses new writes until a majority is back", cause);
    }

    static String format(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? (ms / 1000) + "s" : ms + "ms";
    }
}
