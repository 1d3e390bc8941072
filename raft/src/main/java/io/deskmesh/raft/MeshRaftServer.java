package io.deskmesh.raft;

import io.deskmesh.model.image.ClusterImage;
import io.deskmesh.raft.Membership.Peer;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.proto.RaftProtos.RoleInfoProto;
import org.apache.ratis.proto.RaftProtos.ServerRpcProto;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.storage.RaftStorage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * One node's Raft server: the gRPC Raft peer, its {@link MeshStateMachine}, group membership and
 * the node's {@link CommandSubmitter}. Start it once with {@link #bootstrap}, {@link #join},
 * {@link #startEmpty} or {@link #restart}; every one of them comes back with exactly the committed
 * state when the data directory already holds the grid's log (the stored configuration wins over
 * the one given at start). Close it to stop. Thread-safe.
 *
 * <p>A closed or failed Raft group leaves the JVM and its port alive; a watchdog notices, logs it
 * and {@link #health()} reports FAILED, so the node can exit or be restarted.
 */
public final class MeshRaftServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MeshRaftServer.class);
    private static final Duration MEMBERSHIP_TIMEOUT = Duration.ofSeconds(30);

    private final RaftConfig config;
    private final RaftGroupId groupId;
    private final RaftPeer self;
    private final MeshStateMachine stateMachine;
    private final RaftClients clients;
    private final ScheduledExecutorService watchdog;
    private volatile RaftServer server;
    private volatile CommandSubmitter submitter;
    private volatile String groupFailure;
    private volatile boolean closed;
    private volatile boolean demotionWarned;

    public MeshRaftServer(RaftConfig config) {
        this.config = config;
        this.groupId = groupIdFor(config.gridId());
        this.self = new Peer(config.nodeId(), config.raftAddress()).toRaftPeer();
        this.stateMachine = new MeshStateMachine(config.nodeId());
        this.clients = new RaftClients(config, groupId);
        this.watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "deskmesh-raft-watchdog-" + config.nodeId());
            t.setDaemon(true);
            return t;
        });
    }

    /** The Raft group id of a grid: the same on every node because it is derived from the grid id. */
    public static RaftGroupId groupIdFor(String gridId) {
        return RaftGroupId.valueOf(UUID.nameUUIDFromBytes(("deskmesh-grid:" + gridId).getBytes(StandardCharsets.UTF_8)));
    }

    // ---- starting -----------------------------------------------------------------------------

    /** Whether this node's data directory already holds this grid's Raft log. */
    public boolean hasData() {
        return Files.isDirectory(config.raftDir().resolve(groupId.getUuid().toString()));
    }

    /** Forms a new grid with this node as its only voter (or restarts it from its data directory). */
    public MeshRaftServer bootstrap() throws IOException {
        LOG.info("{}: {} grid '{}' (Raft group {})", config.nodeId(), hasData() ? "restarting" : "bootstrapping",
                config.gridId(), groupId);
        return startWith(RaftGroup.valueOf(groupId, self));
    }

    /** Starts from this node's data directory: the last snapshot plus the log after it. */
    public MeshRaftServer restart() throws IOException {
        if (!hasData()) {
            throw new IllegalStateException("no Raft data for grid '" + config.gridId() + "' under "
                    + config.raftDir() + "; bootstrap a new grid or join an existing one");
        }
        LOG.info("{}: restarting from {}", config.nodeId(), config.raftDir());
        return startWith(RaftGroup.valueOf(groupId));
    }

    /**
     * Starts this server outside the group, to be added by a member's {@link #addPeer} with the same
     * {@code asListener}: it holds no state and cannot start an election. A future voter starts
     * with an empty group; a future listener starts as a listener of its own, because Ratis never
     * moves a server from FOLLOWER to LISTENER at run time, and a listener stuck as FOLLOWER would
     * start an election when the leader is lost, find itself in no voting configuration and close
     * its group.
     */
    public MeshRaftServer startEmpty(boolean asListener) throws IOException {
        LOG.info("{}: {} grid '{}' as a {}", config.nodeId(), hasData() ? "restarting in" : "waiting to be added to",
                config.gridId(), asListener ? "listener" : "voter");
        return startWith(asListener ? RaftGroup.valueOf(groupId, selfAs(RaftPeerRole.LISTENER))
                : RaftGroup.valueOf(groupId));
    }

    /**
     * Joins an existing grid: {@link #startEmpty}, then, unless its log already shows it as a
     * member, asks the grid through any of {@code existingPeers} to add it as a voter or listener,
     * and waits until its own log shows it in that role.
     */
    public MeshRaftServer join(Collection<Peer> existingPeers, boolean asListener) throws IOException {
        if (existingPeers.isEmpty()) {
            throw new IllegalArgumentException("joining needs the address of at least one grid member");
        }
        startEmpty(asListener);
        if (membership().voterIds().isEmpty() || !membership().contains(config.nodeId())) {
            LOG.info("{}: asking {} to add it", config.nodeId(), existingPeers);
            List<RaftPeer> contacts = existingPeers.stream().map(Peer::toRaftPeer).toList();
            changeMembership("add " + config.nodeId() + (asListener ? " as a listener" : " as a voter"), contacts,
                    m -> m.with(new Peer(config.nodeId(), config.raftAddress()), asListener));
        }
        MembershipChanger.await(() -> {
            Membership m = membership();
            return (asListener ? m.listenerIds() : m.voterIds()).contains(config.nodeId()) && !m.voterIds().isEmpty();
        }, MEMBERSHIP_TIMEOUT, "node '" + config.nodeId() + "' to see itself in the grid's configuration");
        return this;
    }

    private RaftPeer selfAs(RaftPeerRole role) {
        return RaftPeer.newBuilder().setId(self.getId()).setAddress(self.getAddress()).setStartupRole(role).build();
    }

    private synchronized MeshRaftServer startWith(RaftGroup group) throws IOException {
        if (closed) {
            throw new IllegalStateException("the Raft server of node '" + config.nodeId() + "' is closed");
        }
        if (server != null) {
            throw new IllegalStateException("the Raft server of node '" + config.nodeId() + "' is already started");
        }
        Files.createDirectories(config.raftDir());
        RaftServer s = RaftServer.newBuilder()
                .setServerId(self.getId())
                .setGroup(group)
                .setProperties(RaftClients.serverProperties(config))
                .setStateMachine(stateMachine)
                .setOption(RaftStorage.StartupOption.RECOVER)
                .build();
        s.start();
        server = s;
        watchdog.scheduleWithFixedDelay(this::checkGroup, 1, 1, TimeUnit.SECONDS);
        return this;
    }

    // ---- what the node reads ------------------------------------------------------------------

    public RaftConfig config() {
        return config;
    }

    public String nodeId() {
        return config.nodeId();
    }

    public RaftGroupId groupId() {
        return groupId;
    }

    public MeshStateMachine stateMachine() {
        return stateMachine;
    }

    /** This node's current image. */
    public ClusterImage image() {
        return stateMachine.image();
    }

    /** Adds a listener that gets new images off the apply thread, coalesced to the latest. */
    public void addImageListener(Consumer<ClusterImage> listener) {
        stateMachine.addImageListener(listener);
    }

    /** Completes when this node has applied {@code index}. */
    public CompletableFuture<Long> awaitApplied(long index) {
        return stateMachine.awaitApplied(index);
    }

    /** The node's write path; one per node, created on first use. */
    public CommandSubmitter submitter() {
        CommandSubmitter s = submitter;
        if (s != null) {
            return s;
        }
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("the Raft server of node '" + config.nodeId() + "' is closed");
            }
            if (submitter == null) {
                submitter = new CommandSubmitter(() -> clients.newWriteClient(currentPeers()), stateMachine,
                        config.maxBatch(), config.maxInFlight(), config.writeDeadline());
            }
            return submitter;
        }
    }

    public boolean isLeader() {
        return division().getInfo().isLeader();
    }

    /** The current leader's id as this node knows it, or null when it knows none. */
    public String leaderId() {
        RaftPeerId id = division().getInfo().getLeaderId();
        return id == null ? null : id.toString();
    }

    /** The group's voters and listeners as this node's log knows them. */
    public Membership membership() {
        return Membership.of(division().getRaftConf());
    }

    /** How this node's Raft layer is doing; never throws. */
    public RaftHealth health() {
        if (closed) {
            return new RaftHealth(RaftHealth.Status.CLOSED, "", "NONE", "", stateMachine.appliedIndex(), 0);
        }
        RaftServer s = server;
        if (s == null) {
            return new RaftHealth(RaftHealth.Status.STARTING, "", "NONE", "", stateMachine.appliedIndex(), 0);
        }
        try {
            RaftHealth h = HealthProbe.probe(config.nodeId(), s.getDivision(groupId), stateMachine);
            String failure = groupFailure;
            return failure != null && h.isRunning()
                    ? new RaftHealth(RaftHealth.Status.FAILED, failure, h.role(), h.leaderId(), h.appliedIndex(), h.term())
                    : h;
        } catch (IOException | RuntimeException e) {
            return HealthProbe.unreachable(config.nodeId(), stateMachine, e);
        }
    }

    private void checkGroup() {
        if (closed || groupFailure != null) {
            return;
        }
        try {
            RaftHealth h = health();
            if (h.status() == RaftHealth.Status.FAILED) {
                groupFailure = h.reason();
                LOG.error("{}: Raft group failed: {}", config.nodeId(), h.reason());
            } else if (!demotionWarned && HealthProbe.isDemotedVoter(config.nodeId(), division())) {
                demotionWarned = true;
                LOG.warn("{}: this node is now a listener, but Ratis keeps it in role {} until it restarts; if the"
                        + " leader is lost it will close its group. Restart the node soon.", config.nodeId(), h.role());
            }
        } catch (RuntimeException e) {
            LOG.warn("{}: Raft health check failed", config.nodeId(), e);
        }
    }

    // ---- snapshots ----------------------------------------------------------------------------

    /**
     * Takes a snapshot of this node's image now, on the Raft apply thread (which then purges the
     * log up to it, as far as every peer has it); returns the snapshot's index.
     */
    public long takeSnapshotNow() throws IOException {
        try (RaftClient client = clients.newAdminClient(currentPeers())) {
            RaftClientReply reply = client.getSnapshotManagementApi(self.getId())
                    .create(1, MEMBERSHIP_TIMEOUT.toMillis());
            if (!reply.isSuccess()) {
                throw new IOException("node '" + config.nodeId() + "' could not take a snapshot", reply.getException());
            }
            return reply.getLogIndex();
        }
    }

    // ---- membership ---------------------------------------------------------------------------

    /** Adds (or moves) a peer as a voter or listener; the peer's server must be running ({@link #startEmpty}). */
    public void addPeer(String id, String address, boolean asListener) throws IOException {
        changeMembership("add " + id + (asListener ? " as a listener" : " as a voter"), currentPeers(),
                m -> m.with(new Peer(id, address), asListener));
    }

    /** Removes a peer from the group entirely (it stops receiving the log). */
    public void removePeer(String id) throws IOException {
        changeMembership("remove " + id, currentPeers(), m -> m.without(id));
    }

    /**
     * On the leader, moves the voters toward {@link VoterPolicy#choose}, one reconfiguration at a
     * time, taking as live the peers the leader heard from within two election timeouts. Returns the
     * voters afterwards; on a non-leader it changes nothing and returns the current voters.
     */
    public SortedSet<String> rebalanceVoters() throws IOException {
        return rebalanceVoters(livePeers());
    }

    /** As {@link #rebalanceVoters()}, with the caller's view of which peers are live. */
    public SortedSet<String> rebalanceVoters(Set<String> live) throws IOException {
        for (int step = 0; step < 2 * VoterPolicy.MAX_VOTERS + 2; step++) {
            Membership current = membership();
            SortedSet<String> voters = new TreeSet<>(current.voterIds());
            SortedSet<String> target = VoterPolicy.choose(voters, current.allIds(), live);
            if (!isLeader() || target.equals(voters)) {
                return voters;
            }
            SortedSet<String> next = VoterPolicy.nextStep(voters, target);
            LOG.info("{}: rebalancing voters {} -> {} (target {}, live {})", config.nodeId(), voters, next, target, live);
            changeMembership("set voters to " + next, currentPeers(), m -> m.withVoters(next));
        }
        return new TreeSet<>(membership().voterIds());
    }

    /** This node plus every peer the leader heard from within two maximum election timeouts. */
    Set<String> livePeers() {
        Set<String> live = new HashSet<>();
        live.add(config.nodeId());
        RoleInfoProto role = division().getInfo().getRoleInfoProto();
        if (role.hasLeaderInfo()) {
            long limit = 2 * config.electionTimeoutMax().toMillis();
            for (ServerRpcProto f : role.getLeaderInfo().getFollowerInfoList()) {
                if (f.getLastRpcElapsedTimeMs() <= limit) {
                    live.add(f.getId().getId().toStringUtf8());
                }
            }
        }
        return live;
    }

    private void changeMembership(String what, List<RaftPeer> contacts, UnaryOperator<Membership> change)
            throws IOException {
        try (RaftClient client = clients.newAdminClient(contacts)) {
            new MembershipChanger(client, groupId, contacts, this::localLeaderMembership)
                    .change(what, change, MEMBERSHIP_TIMEOUT);
        }
    }

    /** The local configuration when this node leads and it is settled, else null (ask the leader). */
    private Membership localLeaderMembership() {
        RaftServer.Division d = division();
        return d.getInfo().isLeader() && Membership.isStable(d.getRaftConf()) ? Membership.of(d.getRaftConf()) : null;
    }

    private List<RaftPeer> currentPeers() {
        Membership m = membership();
        List<RaftPeer> peers = new ArrayList<>(m.raftVoters());
        peers.addAll(m.raftListeners());
        if (peers.stream().noneMatch(p -> p.getId().equals(self.getId()))) {
            peers.add(self);
        }
        return peers;
    }

    /** The Ratis division of this node's grid group (package-private for tests). */
    RaftServer.Division division() {
        RaftServer s = server;
        if (s == null) {
            throw new IllegalStateException("the Raft server of node '" + config.nodeId() + "' is not started;"
                    + " bootstrap, join or restart it first");
        }
        try {
            return s.getDivision(groupId);
        } catch (IOException e) {
            throw new UncheckedIOException("node '" + config.nodeId() + "' has no Raft group " + groupId, e);
        }
    }

    @Override
    public void close() {
        CommandSubmitter s;
        RaftServer srv;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            s = submitter;
            srv = server;
        }
        watchdog.shutdownNow();
        if (s != null) {
            s.close();
        }
        try {
            if (srv != null) {
                srv.close();
            } else {
                stateMachine.close();
            }
        } catch (IOException e) {
            LOG.warn("{}: closing the Raft server failed", config.nodeId(), e);
        }
        LOG.info("{}: Raft server closed", config.nodeId());
    }

    @Override
    public String toString() {
        return "MeshRaftServer[" + config.nodeId() + "@" + config.raftAddress() + "]";
    }
}
