package io.deskmesh.node;

import io.deskmesh.model.command.MarkServerMissingCommand;
import io.deskmesh.model.image.ClusterImage;
import io.deskmesh.model.image.ServerImage;
import io.deskmesh.raft.Membership;
import io.deskmesh.raft.MeshRaftServer;
import io.deskmesh.raft.VoterPolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Notices servers that stop answering. Runs on every node but acts only on the Raft leader: every
 * {@link #PROBE_INTERVAL_MS} it pings each server that is not already missing; one silent for
 * longer than {@code missingAfter} is recorded missing (so the planners move its share), and the
 * voters are re-chosen among the servers that answer (at once when the membership or the answering
 * servers changed, else every {@link #VOTER_CHECK_MS}; a step that leaves fewer voters waits until
 * the membership has been settled that long). A server that answers again
 * records itself back (its reconciler sends {@code RejoinServer}). A new leader gives every server a full
 * {@code missingAfter} of grace before judging it. Thread-safe.
 */
final class FailureDetector implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FailureDetector.class);
    static final long PROBE_INTERVAL_MS = 1_000;
    static final long VOTER_CHECK_MS = 5_000;

    private final String self;
    private final MeshRaftServer raft;
    private final long missingAfterMs;
    private final LongSupplier clock;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(800)).build();
    private final Map<String, Long> lastSeen = new ConcurrentHashMap<>();
    private final Set<String> reported = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "failure-detector");
        t.setDaemon(true);
        return t;
    });
    private volatile long leaderSince = -1;
    private volatile long lastVoterCheck;
    private volatile List<Object> lastVoterInputs = List.of();
    private volatile Set<String> lastMembers = Set.of();
    private volatile long membershipChangedAt;

    FailureDetector(String self, MeshRaftServer raft, Duration missingAfter, LongSupplier clock) {
        this.self = self;
        this.raft = raft;
        this.missingAfterMs = missingAfter.toMillis();
        this.clock = clock;
    }

    void start() {
        timer.scheduleWithFixedDelay(this::tick, PROBE_INTERVAL_MS, PROBE_INTERVAL_MS, TimeUnit.MILLISECONDS);
    }

    private void tick() {
        try {
            if (!raft.health().isRunning() || !raft.isLeader()) {
                leaderSince = -1;
                return;
            }
            long now = clock.getAsLong();
            if (leaderSince < 0) {
                leaderSince = now;
                lastSeen.clear();
                reported.clear();
            }
            ClusterImage image = raft.image();
            Set<String> live = new TreeSet<>();
            live.add(self);
            for (ServerImage s : image.servers().all()) {
                if (s.name().equals(self)) {
                    continue;
                }
                if (s.missing()) {
                    reported.remove(s.name());
                    // Forget when it last answered: once it rejoins it gets a full missingAfter again.
                    lastSeen.remove(s.name());
                    continue;
                }
                probe(s);
                // A server first seen now (just joined or rejoined, or this node just became leader)
                // has had no chance to answer a probe yet: its grace starts now.
                long seen = lastSeen.computeIfAbsent(s.name(), name -> now);
                if (now - seen <= missingAfterMs) {
                    live.add(s.name());
                    // It answers again: if it rejoined before a tick saw it missing, it must not stay
                    // "reported" for good, or its next failure would never be recorded.
                    reported.remove(s.name());
                } else if (reported.add(s.name())) {
                    String why = "no answer for " + (now - seen) / 1000 + " s";
                    LOG.warn("server {} is missing: {}", s.name(), why);
                    raft.submitter().submit(new MarkServerMissingCommand(s.name(), why))
                            .whenComplete((r, e) -> {
                                if (e != null || !r.ok()) {
                                    reported.remove(s.name());
                                }
                            });
                }
            }
            rebalanceVoters(live, now);
        } catch (RuntimeException e) {
            LOG.warn("failure detector tick failed: {}", e.toString());
        }
    }

    private void probe(ServerImage s) {
        HttpRequest ping = HttpRequest.newBuilder(URI.create("http://" + s.address() + "/internal/v1/ping"))
                .timeout(Duration.ofMillis(900)).GET().build();
        http.sendAsync(ping, HttpResponse.BodyHandlers.discarding()).whenComplete((r, e) -> {
            if (e == null && r.statusCode() == 200) {
                lastSeen.put(s.name(), clock.getAsLong());
            }
        });
    }

    /**
     * Re-chooses the voters as soon as what they are chosen from changed (a server joined or left the
     * Raft group, one started or stopped answering), else every {@link #VOTER_CHECK_MS}: a joining
     * listener that should vote is promoted within a tick, not after five seconds.
     */
    private void rebalanceVoters(Set<String> live, long now) {
        try {
            Membership membership = raft.membership();
            if (!membership.allIds().equals(lastMembers)) {
                lastMembers = membership.allIds();
                membershipChangedAt = now;
            }
            Set<String> liveKnown = new TreeSet<>(live);
            liveKnown.retainAll(membership.allIds());
            List<Object> inputs = List.of(membership, liveKnown);
            if (now - lastVoterCheck < VOTER_CHECK_MS && inputs.equals(lastVoterInputs)) {
                return;
            }
            if (now - membershipChangedAt < VOTER_CHECK_MS
                    && shrinksVoters(membership, VoterPolicy.step(membership, liveKnown, raft.livePeers()))) {
                // The membership is still moving: a server that just left may be coming back (a node
                // restarting without its log leaves and joins again within a second), or one that just
                // joined as a voter counted on another newcomer that is about to be added.
                return;
            }
            lastVoterCheck = now;
            lastVoterInputs = inputs;
            raft.rebalanceVoters(liveKnown);
        } catch (Exception e) {
            LOG.warn("re-choosing voters failed: {}", e.toString());
        }
    }

    /** Whether going from {@code current} to {@code next} leaves fewer voters (a swap or a promotion does not). */
    static boolean shrinksVoters(Membership current, Membership next) {
        return next.voterIds().size() < current.voterIds().size();
    }

    @Override
    public void close() {
        timer.shutdownNow();
        http.shutdownNow();
    }
}
