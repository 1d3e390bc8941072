package io.deskmesh.raft;

import io.deskmesh.model.image.ClusterImage;
import io.deskmesh.raft.Membership.Peer;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.proto.RaftProtos.RoleInfoProto;
import org.apache.ratis.proto.RaftProtos.ServerRpcProto;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftConfiguration;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.raftlog.RaftLog;
import org.apache.ratis.server.storage.RaftStorage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * One node's Raft server: the gRPC Raft peer, its {@link MeshStateMachine}, group membership and
 * the node's {@link CommandSubmitter}. Start it once with {@link #bootstrap}, {@link #join},
 * {@link #startEmpty}, {@link #restart()} or {@link #restart(boolean, Collection)}; every one of them
 * comes back with exactly the committed state when the data directory already holds the grid's log
 * (the stored configuration wins over the one given at start). Close it to stop. Thread-safe.
 *
 * <p><b>Roles across restarts.</b> Ratis starts a server in the role its stored configuration
 * gives it, never the startup role passed in; it turns a LISTENER into a FOLLOWER when it learns a
 * configuration that makes it a voter, but never a running FOLLOWER into a LISTENER. So a voter the
 * grid demoted (while it was down, or while it ran) keeps running as FOLLOWER; when it next misses
 * the leader it campaigns, a voter answers "shut down" and Ratis closes its group. This class
 * therefore restarts its Ratis server, in place, once its own log names it a listener.
 *
 * <p><b>Rejoining by itself</b> ({@link RaftConfig#autoRejoin}, on by default). A closed or failed
 * Raft group leaves the JVM and its port alive. A watchdog checks every second; when Ratis closed
 * the group (and not because a committed entry failed to apply: that stays FAILED, see
 * {@link MeshStateMachine}), or keeps this node a FOLLOWER after the grid made it a listener, it
 * asks the grid's leader which role this node has and restarts its Ratis server in that role
 * (retrying with back-off while no leader answers). Meanwhile {@link #health()} says STARTING with
 * the reason, and {@link #image()} and the image listeners keep the last image until the restarted
 * server has caught up with the leader. A node the grid no longer has is reported FAILED.
 */
public final class MeshRaftServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MeshRaftServer.class);
    private static final Duration MEMBERSHIP_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration CATCH_UP_TIMEOUT = Duration.ofMinutes(2);
    /** How long a restart that could not reach a leader waits before it goes on without catching up. */
    private static final Duration BEST_EFFORT_CATCH_UP = Duration.ofSeconds(15);
    /** First election of a server the grid has as a listener, in case its stored log says voter. */
    private static final Duration PATIENT_FIRST_ELECTION = Duration.ofSeconds(60);
    /** How long a joining voter waits for the leader to settle the voters (best effort). */
    private static final Duration SETTLING = Duration.ofSeconds(5);
    /** Rejoin attempts from the node's own log before it moves the log aside and starts afresh. */
    private static final int ATTEMPTS_FROM_OWN_LOG = 3;
    /** Under the data directory: the Raft directory last moved aside, kept for diagnosis. */
    public static final String REPLACED_DIR = "raft-replaced";

    private final RaftConfig config;
    private final RaftGroupId groupId;
    private final RaftPeer self;
    private final RaftClients clients;
    private final ScheduledExecutorService watchdog;
    private final List<Consumer<ClusterImage>> imageListeners = new CopyOnWriteArrayList<>();
    /** The state machine of the running (or last) Ratis server. */
    private volatile MeshStateMachine stateMachine;
    /** The state machine whose image is shown and published; lags {@link #stateMachine} while catching up. */
    private volatile MeshStateMachine published;
    private boolean stateMachineUsed; // guarded by this
    private boolean watching; // guarded by this
    private volatile RaftServer server;
    private volatile CommandSubmitter submitter;
    private volatile String groupFailure;
    private volatile String rejoining;
    private volatile boolean starting;
    private volatile Membership lastMembership = Membership.EMPTY;
    private volatile Thread rejoiner;
    private volatile boolean closed;
    private volatile boolean demotionWarned;

    public MeshRaftServer(RaftConfig config) {
        this.config = config;
        this.groupId = groupIdFor(config.gridId());
        this.self = new Peer(config.nodeId(), config.raftAddress()).toRaftPeer();
        this.stateMachine = newStateMachine();
        this.published = stateMachine;
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
        return Files.isDirectory(groupDir());
    }

    private Path groupDir() {
        return config.raftDir().resolve(groupId.getUuid().toString());
    }

    /** Forms a new grid with this node as its only voter (or restarts it from its data directory). */
    public MeshRaftServer bootstrap() throws IOException {
        LOG.info("{}: {} grid '{}' (Raft group {})", config.nodeId(), hasData() ? "restarting" : "bootstrapping",
                config.gridId(), groupId);
        return starting(() -> startServer(RaftGroup.valueOf(groupId, self), false));
    }

    /**
     * Starts from this node's data directory: the last snapshot plus the log after it, in the role
     * its stored configuration gives it. Use this when no grid member can be asked (the whole grid
     * restarts); otherwise prefer {@link #restart(boolean, Collection)}.
     */
    public MeshRaftServer restart() throws IOException {
        if (!hasData()) {
            throw new IllegalStateException("no Raft data for grid '" + config.gridId() + "' under "
                    + config.raftDir() + "; bootstrap a new grid or join an existing one");
        }
        LOG.info("{}: restarting from {}", config.nodeId(), config.raftDir());
        return starting(() -> startServer(RaftGroup.valueOf(groupId), false));
    }

    /**
     * Restarts in the role the grid has for this node ({@code asListener}, as a member answered),
     * through {@code contacts} (any members' Raft peers), and waits until it caught up with the
     * leader: a voter restarts from its log; a listener restarts from its log as a LISTENER, and when
     * that log still names it a voter (it was replaced while down) it waits, not campaigning, for the
     * leader's configuration to reach its log and restarts once more; without data (or when all that
     * fails) it moves its Raft directory aside, leaves the group and joins it again as a listener (a
     * server that lost its log must not vote, and the leader only resends the log to a new member;
     * the leader promotes it again if it should vote). Should the process die between leaving and
     * joining again, the grid no longer has it: join it again with an empty data directory.
     */
    public MeshRaftServer restart(boolean asListener, Collection<Peer> contacts) throws IOException {
        return starting(() -> startInRole(asListener, contacts, false));
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
        return starting(() -> startEmptyServer(asListener));
    }

    private void startEmptyServer(boolean asListener) throws IOException {
        LOG.info("{}: {} grid '{}' as a {}", config.nodeId(), hasData() ? "restarting in" : "waiting to be added to",
                config.gridId(), asListener ? "listener" : "voter");
        startServer(asListener ? listenerGroup() : RaftGroup.valueOf(groupId), false);
    }

    /**
     * Joins an existing grid: {@link #startEmpty}, then, unless its log already shows it as a
     * member, asks the grid through any of {@code existingPeers} to add it as a voter or listener,
     * waits until its own log shows it in that role and until it applied what the leader had
     * committed by then; a voter also waits (up to 5 s) for an odd number of voters.
     */
    public MeshRaftServer join(Collection<Peer> existingPeers, boolean asListener) throws IOException {
        if (existingPeers.isEmpty()) {
            throw new IllegalArgumentException("joining needs the address of at least one grid member");
        }
        return starting(() -> {
            startEmptyServer(asListener);
            becomeMember(existingPeers, asListener);
            awaitCaughtUp(existingPeers, CATCH_UP_TIMEOUT, true);
            if (asListener) {
                becomeListenerIfDemoted(existingPeers);
            } else {
                awaitSettledVoters();
            }
        });
    }

    /**
     * After a voter joined, waits (at most {@link #SETTLING}, then goes on) until the group has an
     * odd number of voters again: the third server of a grid joins as a voter and the leader then
     * promotes the second (a listener) within a second or so, and a grid whose start has returned
     * should show its final voters.
     */
    private void awaitSettledVoters() {
        try {
            MembershipChanger.await(() -> membership().voterIds().size() % 2 == 1, SETTLING, "an odd number of voters");
        } catch (IOException e) {
            LOG.info("{}: the grid still has {} voters; the leader re-chooses them as servers come and go",
                    config.nodeId(), membership().voterIds().size());
        }
    }

    private interface Start {
        void run() throws IOException;
    }

    private MeshRaftServer starting(Start start) throws IOException {
        starting = true;
        try {
            start.run();
            publish();
            return this;
        } finally {
            starting = false;
        }
    }

    /** Asks the grid to add this node in the given role (unless its log shows it a member) and waits to see it. */
    private void becomeMember(Collection<Peer> contacts, boolean asListener) throws IOException {
        Membership mine = membership();
        if (mine.voterIds().isEmpty() || !mine.contains(config.nodeId())) {
            LOG.info("{}: asking {} to add it", config.nodeId(), contacts);
            changeMembership("add " + config.nodeId() + (asListener ? " as a listener" : " as a voter"),
                    raftPeers(contacts), m -> m.with(new Peer(config.nodeId(), config.raftAddress()), asListener));
        }
        MembershipChanger.await(() -> {
            Membership m = membership();
            return (asListener ? m.listenerIds() : m.voterIds()).contains(config.nodeId()) && !m.voterIds().isEmpty();
        }, MEMBERSHIP_TIMEOUT, "node '" + config.nodeId() + "' to see itself in the grid's configuration");
    }

    /**
     * Starts the stopped server in {@code asListener}'s role (see {@link #restart(boolean, Collection)})
     * and waits until it caught up; {@code fresh} moves its Raft data aside first.
     */
    private void startInRole(boolean asListener, Collection<Peer> contacts, boolean fresh) throws IOException {
        if (fresh || !hasData()) {
            LOG.info("{}: {}; joining the grid again as a listener (a server without its log must not vote; the"
                    + " leader promotes it when it should vote)", config.nodeId(),
                    hasData() ? "starting afresh" : "no Raft data for grid '" + config.gridId() + "'");
            // Out of the group first: an empty log must never count as a vote, and the leader keeps a
            // member's last match index, so it would never resend the log to it (only to a new member).
            changeMembership("remove " + config.nodeId() + " (it restarts without its log)", raftPeers(contacts),
                    m -> m.without(config.nodeId()));
            if (hasData()) {
                moveRaftDataAside();
            }
            startServer(listenerGroup(), false);
            becomeMember(contacts, true);
            awaitCaughtUp(contacts, CATCH_UP_TIMEOUT, true);
            becomeListenerIfDemoted(contacts);
            return;
        }
        if (!asListener) {
            LOG.info("{}: restarting from {} as a voter", config.nodeId(), config.raftDir());
            startServer(RaftGroup.valueOf(groupId), false);
            awaitCaughtUp(contacts, BEST_EFFORT_CATCH_UP, false);
            return;
        }
        LOG.info("{}: restarting from {} as a listener, the role the grid has for it", config.nodeId(), config.raftDir());
        startServer(listenerGroup(), true);
        try {
            if (!division().getInfo().isListener()) {
                LOG.warn("{}: its stored log still names it a voter, but the grid made it a listener while it was"
                        + " down; it waits (without campaigning) for the leader's configuration, then restarts as a"
                        + " listener", config.nodeId());
            }
            awaitCaughtUp(contacts, CATCH_UP_TIMEOUT, true);
            becomeListenerIfDemoted(contacts);
        } catch (InterruptedIOException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            LOG.warn("{}: restarting as a listener from its own log failed ({}); moving the log aside and joining"
                    + " again as a listener", config.nodeId(), e.getMessage());
            stopServer();
            startInRole(true, contacts, true);
        }
    }

    /**
     * When the grid has this node as a listener but Ratis runs it as FOLLOWER (its log named it a
     * voter, or it learnt an older configuration naming it a voter while catching up), waits until
     * the configuration naming it a listener is committed and on its disk, and restarts the Ratis
     * server from that log, which then starts it as LISTENER. Returns at once when it is a
     * LISTENER, or when the grid made it a voter again meanwhile.
     */
    private void becomeListenerIfDemoted(Collection<Peer> contacts) throws IOException {
        if (division().getInfo().isListener()) {
            return;
        }
        long deadline = System.nanoTime() + MEMBERSHIP_TIMEOUT.toNanos();
        while (true) {
            RaftServer.Division d = division();
            if (d.getInfo().isListener()) {
                return;
            }
            Membership m = Membership.of(d.getRaftConf());
            if (Membership.isStable(d.getRaftConf()) && m.voterIds().contains(config.nodeId())) {
                return; // a voter again: FOLLOWER is right
            }
            if (listenerConfPersisted(d)) {
                break;
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("timed out after " + MEMBERSHIP_TIMEOUT.toSeconds() + "s waiting for the"
                        + " configuration that makes node '" + config.nodeId() + "' a listener to reach its log");
            }
            MembershipChanger.sleep(100);
        }
        LOG.info("{}: Ratis runs it as {} although the grid has it as a listener, and never turns a running FOLLOWER"
                + " into a LISTENER; restarting its Raft server from its log, which now names it a listener",
                config.nodeId(), division().getInfo().getCurrentRole());
        stopServer();
        startServer(listenerGroup(), false);
        if (!division().getInfo().isListener()) {
            throw new IOException("node '" + config.nodeId() + "' still runs as " + division().getInfo().getCurrentRole()
                    + " after restarting from a log that names it a listener");
        }
        awaitCaughtUp(contacts, BEST_EFFORT_CATCH_UP, false);
    }

    /** Whether the division's settled configuration makes this node a listener, committed and on disk. */
    private boolean listenerConfPersisted(RaftServer.Division d) {
        RaftConfiguration conf = d.getRaftConf();
        RaftLog log = d.getRaftLog();
        long at = conf.getLogEntryIndex();
        return Membership.isStable(conf) && Membership.of(conf).listenerIds().contains(config.nodeId())
                && at <= Math.max(log.getFlushIndex(), log.getSnapshotIndex()) && at <= log.getLastCommittedIndex();
    }

    /**
     * Waits until this node applied the leader's commit index (as the leader reports it now).
     * {@code required}: throws when no leader answers or it does not catch up within {@code budget};
     * otherwise it logs that and returns.
     */
    private void awaitCaughtUp(Collection<Peer> contacts, Duration budget, boolean required) throws IOException {
        long deadline = System.nanoTime() + budget.toNanos();
        List<RaftPeer> peers = raftPeers(contacts);
        long target = -1;
        Exception last = null;
        if (!peers.isEmpty()) {
            try (RaftClient client = clients.newAdminClient(peers)) {
                MembershipChanger.RatisGroup grid = new MembershipChanger.RatisGroup(client, groupId, peers, () -> null);
                while (target < 0 && System.nanoTime() < deadline) {
                    try {
                        target = grid.leaderCommitIndex();
                    } catch (InterruptedIOException e) {
                        throw e;
                    } catch (IOException | RuntimeException e) {
                        last = e;
                        MembershipChanger.sleep(200);
                    }
                }
            }
        }
        String failure = null;
        if (target < 0) {
            failure = "no leader answered through " + peers + (last == null ? "" : " (" + last.getMessage() + ")");
        } else {
            try {
                long left = Math.max(1, deadline - System.nanoTime());
                stateMachine.awaitApplied(target).get(left, TimeUnit.NANOSECONDS);
                LOG.info("{}: caught up with the leader at index {}", config.nodeId(), target);
                return;
            } catch (TimeoutException e) {
                failure = "it applied only up to " + stateMachine.appliedIndex() + " of the leader's " + target;
            } catch (ExecutionException e) {
                failure = "applying the log failed: " + e.getCause().getMessage();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while catching up with the leader");
            }
        }
        if (required) {
            throw new IOException("node '" + config.nodeId() + "' did not catch up with the grid's leader within "
                    + budget.toSeconds() + "s: " + failure, last);
        }
        LOG.warn("{}: going on without catching up with the leader: {}", config.nodeId(), failure);
    }

    private RaftGroup listenerGroup() {
        return RaftGroup.valueOf(groupId, selfAs(RaftPeerRole.LISTENER));
    }

    private RaftPeer selfAs(RaftPeerRole role) {
        return RaftPeer.newBuilder().setId(self.getId()).setAddress(self.getAddress()).setStartupRole(role).build();
    }

    /**
     * Builds and starts the Ratis server with a state machine of its own ({@code patient}: a late
     * first election). Images are published from it only once {@link #publish} is called.
     */
    private synchronized void startServer(RaftGroup group, boolean patient) throws IOException {
        if (closed) {
            throw new IllegalStateException("the Raft server of node '" + config.nodeId() + "' is closed");
        }
        if (server != null) {
            throw new IllegalStateException("the Raft server of node '" + config.nodeId() + "' is already started");
        }
        Files.createDirectories(config.raftDir());
        if (stateMachineUsed) {
            // The last one was closed with its server; its writes went with it.
            CommandSubmitter old = submitter;
            submitter = null;
            if (old != null) {
                old.close();
            }
            stateMachine = newStateMachine();
        }
        stateMachineUsed = true;
        RaftProperties properties = RaftClients.serverProperties(config);
        if (patient) {
            RaftClients.delayFirstElection(properties, PATIENT_FIRST_ELECTION);
        }
        RaftServer s = RaftServer.newBuilder()
                .setServerId(self.getId())
                .setGroup(group)
                .setProperties(properties)
                .setStateMachine(stateMachine)
                .setOption(RaftStorage.StartupOption.RECOVER)
                .build();
        try {
            s.start();
        } catch (IOException | RuntimeException e) {
            closeQuietly(s);
            throw e;
        }
        server = s;
        try {
            // The members its log knows: whom to ask should the group close before the watchdog looked.
            Membership stored = Membership.of(s.getDivision(groupId).getRaftConf());
            if (!stored.allIds().isEmpty()) {
                lastMembership = stored;
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("{}: no configuration to remember yet: {}", config.nodeId(), e.toString());
        }
        if (!watching) {
            watching = true;
            watchdog.scheduleWithFixedDelay(this::checkGroup, 1, 1, TimeUnit.SECONDS);
        }
    }

    /** Stops the Ratis server (which closes its state machine); the last image stays readable. */
    private void stopServer() {
        RaftServer s;
        synchronized (this) {
            s = server;
            server = null;
        }
        if (s != null) {
            closeQuietly(s);
        }
    }

    private void closeQuietly(RaftServer s) {
        try {
            s.close();
        } catch (IOException | RuntimeException e) {
            LOG.warn("{}: closing the Raft server failed: {}", config.nodeId(), e.toString());
        }
    }

    /** Shows the running state machine's image from now on and hands it every image listener. */
    private synchronized void publish() {
        MeshStateMachine sm = stateMachine;
        if (published != sm && !closed) {
            published = sm;
            for (Consumer<ClusterImage> listener : imageListeners) {
                sm.addImageListener(listener);
            }
        }
    }

    /**
     * Moves this grid's Raft directory to {@code <data>/raft-replaced/}, replacing the copy moved
     * there before (one is kept, for diagnosis). Only for a server that must not vote with it.
     */
    private void moveRaftDataAside() throws IOException {
        Path aside = config.dataDir().resolve(REPLACED_DIR);
        Files.createDirectories(aside);
        try (Stream<Path> old = Files.list(aside)) {
            for (Path p : old.toList()) {
                deleteRecursively(p);
            }
        }
        Path target = aside.resolve(groupId.getUuid() + "-" + System.currentTimeMillis());
        Files.move(groupDir(), target, StandardCopyOption.ATOMIC_MOVE);
        LOG.warn("{}: moved its Raft data to {}; it gets the grid's state from the leader", config.nodeId(), target);
    }

    private static void deleteRecursively(Path root) throws IOException {
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
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

    /** The state machine of the running Ratis server. */
    public MeshStateMachine stateMachine() {
        return stateMachine;
    }

    /** This node's current image (while it rejoins, the last one before). */
    public ClusterImage image() {
        return published.image();
    }

    /**
     * Adds a listener that gets new images off the apply thread, coalesced to the latest; it moves to
     * the new state machine when the node rejoins.
     */
    public synchronized void addImageListener(Consumer<ClusterImage> listener) {
        imageListeners.add(listener);
        try {
            published.addImageListener(listener);
        } catch (IllegalStateException closedNow) {
            // the node is rejoining: the listener gets the new state machine's images once it caught up
        }
    }

    /** Completes when this node has applied {@code index}. */
    public CompletableFuture<Long> awaitApplied(long index) {
        return stateMachine.awaitApplied(index);
    }

    /** The node's write path; one per node (a new one after it rejoined), created on first use. */
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

    /** Whether this node leads now (false while its server is down or restarting). */
    public boolean isLeader() {
        try {
            return division().getInfo().isLeader();
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** The current leader's id as this node knows it, or null when it knows none. */
    public String leaderId() {
        try {
            RaftPeerId id = division().getInfo().getLeaderId();
            return id == null ? null : id.toString();
        } catch (RuntimeException e) {
            return null;
        }
    }

    /**
     * A state machine that keeps {@link #lastMembership} current with every configuration the log
     * takes in, so a group closed before the watchdog first looked still knows whom to ask.
     */
    private MeshStateMachine newStateMachine() {
        MeshStateMachine sm = new MeshStateMachine(config.nodeId());
        sm.onMembershipChange(m -> {
            if (!m.voterIds().isEmpty()) {
                lastMembership = m;
            }
        });
        return sm;
    }

    /** The last non-empty membership this node knew (what it falls back on to find the grid again). */
    Membership knownMembership() {
        return lastMembership;
    }

    /** The group's voters and listeners as this node's log knows them. */
    public Membership membership() {
        Membership m = Membership.of(division().getRaftConf());
        if (!m.voterIds().isEmpty()) {
            lastMembership = m;
        }
        return m;
    }

    /** How this node's Raft layer is doing; never throws. */
    public RaftHealth health() {
        if (closed) {
            return new RaftHealth(RaftHealth.Status.CLOSED, "", "NONE", "", published.appliedIndex(), 0);
        }
        String failure = groupFailure;
        if (failure != null) {
            return new RaftHealth(RaftHealth.Status.FAILED, failure, "NONE", "", published.appliedIndex(), 0);
        }
        String why = rejoining;
        if (why != null) {
            return new RaftHealth(RaftHealth.Status.STARTING, "rejoining the grid: " + why, "NONE", "",
                    published.appliedIndex(), 0);
        }
        RaftServer s = server;
        if (s == null) {
            return new RaftHealth(RaftHealth.Status.STARTING, "", "NONE", "", published.appliedIndex(), 0);
        }
        try {
            return HealthProbe.probe(config.nodeId(), s.getDivision(groupId), stateMachine);
        } catch (IOException | RuntimeException e) {
            return HealthProbe.unreachable(config.nodeId(), stateMachine, e);
        }
    }

    /** Every second: notices a closed group or a demoted voter still running as FOLLOWER, and acts. */
    private void checkGroup() {
        if (closed || starting || rejoining != null || groupFailure != null || server == null) {
            return;
        }
        try {
            RaftHealth h = health();
            if (h.status() == RaftHealth.Status.FAILED) {
                try {
                    membership(); // the closing division may still tell whom to ask
                } catch (RuntimeException gone) {
                    LOG.debug("{}: no configuration left to read: {}", config.nodeId(), gone.toString());
                }
                boolean applyFailed = stateMachine.failure().isPresent();
                if (config.autoRejoin() && !applyFailed) {
                    startRejoin("Ratis closed its Raft group while the process runs (" + h.reason() + ")");
                } else {
                    groupFailure = h.reason();
                    LOG.error("{}: Raft group failed: {}", config.nodeId(), h.reason());
                }
                return;
            }
            RaftServer.Division d = division();
            membership();
            if (HealthProbe.isDemotedVoter(config.nodeId(), d)) {
                if (config.autoRejoin()) {
                    if (listenerConfPersisted(d)) {
                        startRejoin("the grid made it a listener while it ran as a voter, and Ratis keeps it a "
                                + h.role() + " until its server restarts");
                    }
                } else if (!demotionWarned) {
                    demotionWarned = true;
                    LOG.warn("{}: this node is now a listener, but Ratis keeps it in role {} until it restarts; if"
                            + " the leader is lost it will close its group. Restart the node soon.", config.nodeId(),
                            h.role());
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("{}: Raft health check failed", config.nodeId(), e);
        }
    }

    private synchronized void startRejoin(String why) {
        if (closed || rejoining != null) {
            return;
        }
        rejoining = why;
        Thread t = new Thread(() -> rejoin(why), "deskmesh-raft-rejoin-" + config.nodeId());
        t.setDaemon(true);
        rejoiner = t;
        t.start();
    }

    /**
     * Asks the leader which role this node has and restarts its Ratis server in it, retrying with
     * back-off (1 s doubling to 30 s) until that works, the node turns out removed, or it is closed.
     */
    private void rejoin(String why) {
        LOG.warn("{}: {}; rejoining the grid in the role its leader has for it", config.nodeId(), why);
        long backoffMs = 1000;
        for (int attempt = 1; !closed; attempt++) {
            try {
                List<Peer> contacts = otherMembers(lastMembership);
                if (contacts.isEmpty()) {
                    throw new IOException("it knows no other member of the grid to ask");
                }
                Membership grid = askGrid(contacts);
                if (!grid.contains(config.nodeId())) {
                    groupFailure = "node '" + config.nodeId() + "' is no longer in the grid's Raft group (it was"
                            + " removed), and " + why + "; stop this node, or move its data directory away and join"
                            + " the grid again";
                    LOG.error("{}: {}", config.nodeId(), groupFailure);
                    stopServer();
                    rejoining = null;
                    return;
                }
                boolean asListener = grid.listenerIds().contains(config.nodeId());
                boolean fresh = attempt > ATTEMPTS_FROM_OWN_LOG;
                rejoining = why + "; restarting as a " + (asListener ? "listener" : "voter")
                        + (fresh ? " with a fresh log" : "") + " (attempt " + attempt + ")";
                stopServer();
                startInRole(asListener, otherMembers(grid), fresh);
                synchronized (this) {
                    publish();
                    demotionWarned = false;
                    rejoining = null;
                }
                LOG.info("{}: rejoined the grid as a {} at index {}", config.nodeId(),
                        division().getInfo().getCurrentRole(), stateMachine.appliedIndex());
                return;
            } catch (InterruptedIOException e) {
                return;
            } catch (IOException | RuntimeException e) {
                if (closed) {
                    return;
                }
                LOG.warn("{}: attempt {} to rejoin the grid failed: {}; retrying in {} s", config.nodeId(), attempt,
                        e.getMessage(), backoffMs / 1000);
                rejoining = why + "; attempt " + attempt + " to rejoin failed: " + e.getMessage();
                stopServer();
                try {
                    Thread.sleep(backoffMs);
                } catch (InterruptedException stop) {
                    return;
                }
                backoffMs = Math.min(30_000, backoffMs * 2);
            }
        }
    }

    /** The membership as the grid's leader has it, found through {@code contacts}. */
    private Membership askGrid(Collection<Peer> contacts) throws IOException {
        List<RaftPeer> peers = raftPeers(contacts);
        try (RaftClient client = clients.newAdminClient(peers)) {
            return new MembershipChanger(client, groupId, peers, () -> null).current();
        }
    }

    /** The members of {@code m} other than this node, voters first. */
    private List<Peer> otherMembers(Membership m) {
        return Stream.concat(m.voters().stream(), m.listeners().stream())
                .filter(p -> !p.id().equals(config.nodeId())).toList();
    }

    private List<RaftPeer> raftPeers(Collection<Peer> peers) {
        return peers.stream().filter(p -> !p.id().equals(config.nodeId())).map(Peer::toRaftPeer).toList();
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

    /**
     * As {@link #rebalanceVoters()}, with the caller's view of which peers are live. Each step is
     * worked out by {@link VoterPolicy#step} from the membership current at that attempt, so a step
     * retried after a server joined or left meanwhile is recomputed, not re-applied; whether the new
     * voters can elect a leader without the promoted listeners is judged by the peers this leader
     * hears over Raft ({@link #livePeers()}).
     */
    public SortedSet<String> rebalanceVoters(Set<String> live) throws IOException {
        for (int step = 0; step < 2 * VoterPolicy.MAX_VOTERS + 2; step++) {
            Membership current = membership();
            if (!isLeader() || VoterPolicy.step(current, live, livePeers()).equals(current)) {
                return new TreeSet<>(current.voterIds());
            }
            Membership after = changeMembership("rebalance voters", currentPeers(), m -> {
                Membership next = VoterPolicy.step(m, live, livePeers());
                if (!next.equals(m)) {
                    LOG.info("{}: rebalancing voters {} -> {} (target {}, live {})", config.nodeId(), m.voterIds(),
                            next.voterIds(), VoterPolicy.choose(m.voterIds(), m.allIds(), live), live);
                }
                return next;
            });
            if (VoterPolicy.step(after, live, livePeers()).equals(after)) {
                return new TreeSet<>(after.voterIds());
            }
        }
        return new TreeSet<>(membership().voterIds());
    }

    /** This node plus, on the leader, every peer it heard from over Raft within two maximum election timeouts. */
    public Set<String> livePeers() {
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

    private Membership changeMembership(String what, List<RaftPeer> contacts, UnaryOperator<Membership> change)
            throws IOException {
        try (RaftClient client = clients.newAdminClient(contacts)) {
            return new MembershipChanger(client, groupId, contacts, this::localLeaderMembership)
                    .change(what, change, MEMBERSHIP_TIMEOUT);
        }
    }

    /** The local configuration when this node leads and it is settled, else null (ask the leader). */
    private Membership localLeaderMembership() {
        try {
            RaftServer.Division d = division();
            return d.getInfo().isLeader() && Membership.isStable(d.getRaftConf()) ? Membership.of(d.getRaftConf()) : null;
        } catch (RuntimeException notRunning) {
            return null;
        }
    }

    private List<RaftPeer> currentPeers() {
        Membership m;
        try {
            m = membership();
        } catch (RuntimeException e) {
            m = lastMembership; // restarting: the last configuration it knew
        }
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
            throw new IllegalStateException("the Raft server of node '" + config.nodeId() + "' is not running;"
                    + (rejoining != null ? " it is rejoining the grid" : " bootstrap, join or restart it first"));
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
        Thread r;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            s = submitter;
            srv = server;
            server = null;
            r = rejoiner;
        }
        watchdog.shutdownNow();
        if (r != null) {
            r.interrupt();
        }
        if (s != null) {
            s.close();
        }
        if (srv != null) {
            closeQuietly(srv);
        } else {
            try {
                stateMachine.close();
            } catch (IOException e) {
                LOG.warn("{}: closing the state machine failed", config.nodeId(), e);
            }
        }
        LOG.info("{}: Raft server closed", config.nodeId());
    }

    @Override
    public String toString() {
        return "MeshRaftServer[" + config.nodeId() + "@" + config.raftAddress() + "]";
    }
}
