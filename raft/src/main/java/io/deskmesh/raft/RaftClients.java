package io.deskmesh.raft;

import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.client.retry.RequestTypeDependentRetryPolicy;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.proto.RaftProtos.RaftClientRequestProto.TypeCase;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.retry.RetryPolicy;
import org.apache.ratis.rpc.SupportedRpcType;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Builds the Ratis properties of a node's server and its clients from a {@link RaftConfig}.
 * Stateless apart from the config; thread-safe.
 */
final class RaftClients {
    private static final Duration ADMIN_DEADLINE = Duration.ofSeconds(30);

    private final RaftConfig config;
    private final RaftGroupId groupId;

    RaftClients(RaftConfig config, RaftGroupId groupId) {
        this.config = config;
        this.groupId = groupId;
    }

    static RaftProperties serverProperties(RaftConfig config) {
        RaftProperties p = new RaftProperties();
        RaftConfigKeys.Rpc.setType(p, SupportedRpcType.GRPC);
        GrpcConfigKeys.Server.setHost(p, config.host());
        GrpcConfigKeys.Server.setPort(p, config.port());
        RaftServerConfigKeys.setStorageDir(p, List.of(config.raftDir().toFile()));
        RaftServerConfigKeys.Rpc.setTimeoutMin(p, ms(config.electionTimeoutMin()));
        RaftServerConfigKeys.Rpc.setTimeoutMax(p, ms(config.electionTimeoutMax()));
        RaftServerConfigKeys.Log.setSegmentSizeMax(p, SizeInBytes.valueOf(config.segmentSizeBytes()));
        RaftServerConfigKeys.Log.setPreallocatedSize(p,
                SizeInBytes.valueOf(Math.min(config.segmentSizeBytes(), 4L * 1024 * 1024)));
        RaftServerConfigKeys.Log.setPurgeGap(p, config.purgeGap());
        RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(p, true);
        RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(p, config.snapshotEvery());
        // Keep the newest two snapshots: one may be on its way to a follower while the next is written.
        RaftServerConfigKeys.Snapshot.setRetentionFileNum(p, 2);
        // The leader retries a peer that does not answer after 1 ms (10 times), then every 500 ms (20
        // times), then every second (Ratis' default ends at every 5 s): a restarted peer is reached
        // within about a second, not five.
        RaftServerConfigKeys.Log.Appender.setRetryPolicy(p, "1ms,10, 500ms,20, 1s,100000000");
        return p;
    }

    /**
     * Delays this server's first election after start to {@code delay} (the usual timeouts apply
     * once it heard from a leader): for a server the grid has as a listener while its stored log still
     * names it a voter, so the leader's configuration reaches it before it campaigns.
     */
    static void delayFirstElection(RaftProperties p, Duration delay) {
        RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMin(p, ms(delay));
        RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMax(p, ms(delay.plusSeconds(1)));
    }

    /**
     * A client for writes: retries NotLeader and timeouts every 100 ms, each attempt bounded by the
     * request timeout, and gives up once the write deadline has passed since the request was created.
     */
    RaftClient newWriteClient(List<RaftPeer> peers) {
        RetryPolicy policy = RequestTypeDependentRetryPolicy.newBuilder()
                .setRetryPolicy(TypeCase.WRITE, RetryPolicies.retryForeverWithSleep(TimeDuration.valueOf(100,
                        TimeUnit.MILLISECONDS)))
                .setTimeout(TypeCase.WRITE, ms(config.writeDeadline()))
                .build();
        return build(peers, policy, config.requestTimeout());
    }

    /** A client for membership and snapshot requests: writes retry up to 30 s, reads three times. */
    RaftClient newAdminClient(List<RaftPeer> peers) {
        RetryPolicy sleepy = RetryPolicies.retryForeverWithSleep(TimeDuration.valueOf(200, TimeUnit.MILLISECONDS));
        RetryPolicy policy = RequestTypeDependentRetryPolicy.newBuilder()
                .setRetryPolicy(TypeCase.WRITE, sleepy)
                .setTimeout(TypeCase.WRITE, ms(ADMIN_DEADLINE))
                .setRetryPolicy(TypeCase.READ,
                        RetryPolicies.retryUpToMaximumCountWithFixedSleep(3, TimeDuration.valueOf(100, TimeUnit.MILLISECONDS)))
                .build();
        return build(peers, policy, config.requestTimeout());
    }

    private RaftClient build(List<RaftPeer> peers, RetryPolicy policy, Duration attemptTimeout) {
        RaftProperties p = new RaftProperties();
        RaftConfigKeys.Rpc.setType(p, SupportedRpcType.GRPC);
        RaftClientConfigKeys.Rpc.setRequestTimeout(p, ms(attemptTimeout));
        return RaftClient.newBuilder()
                .setClientId(ClientId.randomId())
                .setRaftGroup(RaftGroup.valueOf(groupId, peers))
                .setProperties(p)
                .setRetryPolicy(policy)
                .build();
    }

    static TimeDuration ms(Duration d) {
        return TimeDuration.valueOf(d.toMillis(), TimeUnit.MILLISECONDS);
    }
}
