package io.deskmesh.raft;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How one node runs its Raft server. Immutable; build with {@link #of} and adjust with the
 * {@code withX} methods. Defaults suit a real grid; tests shorten the timeouts and segments.
 *
 * @param nodeId             this node's server name; also its Raft peer id
 * @param dataDir            the node's data directory; Raft keeps log and snapshots under {@code dataDir/raft}
 * @param raftAddress        {@code host:port} the Raft gRPC server listens on and peers dial
 * @param gridId             the grid's id; the Raft group id is derived from it, so every node of one grid agrees
 * @param electionTimeoutMin lower bound of the randomized election timeout
 * @param electionTimeoutMax upper bound of the randomized election timeout
 * @param snapshotEvery      take a snapshot after this many applied log entries (auto-trigger)
 * @param segmentSizeBytes   roll a log segment after this many bytes; only whole closed segments are purged
 * @param purgeGap           purge the log after a snapshot only when at least this many entries can go
 * @param requestTimeout     how long one client attempt waits for the leader before retrying
 * @param writeDeadline      how long a write may wait for a majority before it is refused
 * @param maxBatch           at most this many commands go into one log entry
 * @param maxInFlight        at most this many log entries are outstanding per submitter. One (the default)
 *                           batches best: while an entry is out, everything submitted meanwhile goes into
 *                           the next one, so entries per write fall as the load grows. In a connect storm
 *                           on a 3-node grid, 1 instead of 8 nearly doubled connects/s (GridLoad storm)
 * @param autoRejoin         restart this node's Raft server by itself, in the role the grid's leader has for
 *                           it, when Ratis closes its group while the process runs (not after a committed
 *                           entry failed to apply) or keeps it a FOLLOWER after it was made a listener;
 *                           without it, a closed group is reported FAILED (see {@code MeshRaftServer})
 */
public record RaftConfig(String nodeId, Path dataDir, String raftAddress, String gridId,
                         Duration electionTimeoutMin, Duration electionTimeoutMax, long snapshotEvery,
                         long segmentSizeBytes, int purgeGap, Duration requestTimeout, Duration writeDeadline,
                         int maxBatch, int maxInFlight, boolean autoRejoin) {

    public static final long DEFAULT_SNAPSHOT_EVERY = 10_000;
    public static final int DEFAULT_MAX_BATCH = 256;
    public static final int DEFAULT_MAX_IN_FLIGHT = 1;
    public static final Duration DEFAULT_WRITE_DEADLINE = Duration.ofSeconds(5);

    public RaftConfig {
        Objects.requireNonNull(nodeId, "nodeId");
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(raftAddress, "raftAddress");
        Objects.requireNonNull(gridId, "gridId");
        if (nodeId.isBlank()) {
            throw new IllegalArgumentException("node id is blank; give every node a unique server name");
        }
        if (gridId.isBlank()) {
            throw new IllegalArgumentException("grid id is blank; every node of one grid needs the same grid id");
        }
        port(raftAddress);
        if (electionTimeoutMin.compareTo(electionTimeoutMax) >= 0) {
            throw new IllegalArgumentException("election timeout min " + electionTimeoutMin
                    + " must be below max " + electionTimeoutMax);
        }
        positive("snapshotEvery", snapshotEvery);
        positive("segmentSizeBytes", segmentSizeBytes);
        positive("purgeGap", purgeGap);
        positive("maxBatch", maxBatch);
        positive("maxInFlight", maxInFlight);
        if (writeDeadline.isNegative() || writeDeadline.isZero()) {
            throw new IllegalArgumentException("write deadline must be positive, was " + writeDeadline);
        }
    }

    /**
     * A config with production defaults: 0.5–1 s elections, 8 MiB segments, snapshot every 10,000
     * entries, rejoining by itself when its group closes.
     */
    public static RaftConfig of(String nodeId, Path dataDir, String raftAddress, String gridId) {
        return new RaftConfig(nodeId, dataDir, raftAddress, gridId, Duration.ofMillis(500), Duration.ofMillis(1000),
                DEFAULT_SNAPSHOT_EVERY, 8L * 1024 * 1024, 1024, Duration.ofSeconds(2), DEFAULT_WRITE_DEADLINE,
                DEFAULT_MAX_BATCH, DEFAULT_MAX_IN_FLIGHT, true);
    }

    public RaftConfig withElectionTimeout(Duration min, Duration max) {
        return new RaftConfig(nodeId, dataDir, raftAddress, gridId, min, max, snapshotEvery, segmentSizeBytes,
                purgeGap, requestTimeout, writeDeadline, maxBatch, maxInFlight, autoRejoin);
    }

    public RaftConfig withSnapshotEvery(long entries) {
        return new RaftConfig(nodeId, dataDir, raftAddress, gridId, electionTimeoutMin, electionTimeoutMax, entries,
                segmentSizeBytes, purgeGap, requestTimeout, writeDeadline, maxBatch, maxInFlight, autoRejoin);
    }

    public RaftConfig withLogSegments(long segmentBytes, int purgeGapEntries) {
        return new RaftConfig(nodeId, dataDir, raftAddress, gridId, electionTimeoutMin, electionTimeoutMax,
                snapshotEvery, segmentBytes, purgeGapEntries, requestTimeout, writeDeadline, maxBatch, maxInFlight, autoRejoin);
    }

    public RaftConfig withWriteDeadline(Duration deadline, Duration attemptTimeout) {
        return new RaftConfig(nodeId, dataDir, raftAddress, gridId, electionTimeoutMin, electionTimeoutMax,
                snapshotEvery, segmentSizeBytes, purgeGap, attemptTimeout, deadline, maxBatch, maxInFlight, autoRejoin);
    }

    public RaftConfig withBatching(int batch, int inFlight) {
        return new RaftConfig(nodeId, dataDir, raftAddress, gridId, electionTimeoutMin, electionTimeoutMax,
                snapshotEvery, segmentSizeBytes, purgeGap, requestTimeout, writeDeadline, batch, inFlight, autoRejoin);
    }

    /** Whether the node rejoins by itself when Ratis closes its group (default), or reports FAILED. */
    public RaftConfig withAutoRejoin(boolean rejoin) {
        return new RaftConfig(nodeId, dataDir, raftAddress, gridId, electionTimeoutMin, electionTimeoutMax,
                snapshotEvery, segmentSizeBytes, purgeGap, requestTimeout, writeDeadline, maxBatch, maxInFlight, rejoin);
    }

    /** Where Ratis keeps this node's log, metadata and snapshots. */
    public Path raftDir() {
        return dataDir.resolve("raft");
    }

    public String host() {
        return raftAddress.substring(0, raftAddress.lastIndexOf(':'));
    }

    public int port() {
        return port(raftAddress);
    }

    private static int port(String address) {
        int colon = address.lastIndexOf(':');
        if (colon <= 0 || colon == address.length() - 1) {
            throw new IllegalArgumentException("raft address '" + address + "' is not host:port");
        }
        try {
            int port = Integer.parseInt(address.substring(colon + 1));
            if (port < 1 || port > 65535) {
                throw new NumberFormatException();
            }
            return port;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("raft address '" + address + "' has no valid port (1-65535)");
        }
    }

    private static void positive(String name, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, was " + value);
        }
    }
}
