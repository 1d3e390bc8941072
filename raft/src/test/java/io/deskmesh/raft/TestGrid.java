package io.deskmesh.raft;

import io.deskmesh.model.image.ClusterImage;
import io.deskmesh.raft.Membership.Peer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A grid of Raft servers in this JVM, on free loopback ports, each with its own data directory
 * under {@code root}. A node keeps its port and directory across {@link #stop} and {@link #restart}.
 * Ratis is tuned for speed: 300–600 ms elections, 16 KiB log segments, purge after 8 entries.
 */
final class TestGrid implements AutoCloseable {
    static final String GRID_ID = "test-grid";

    private final Path root;
    private final Map<String, RaftConfig> configs = new LinkedHashMap<>();
    private final Map<String, MeshRaftServer> running = new LinkedHashMap<>();
    private Duration writeDeadline = Duration.ofSeconds(5);
    private boolean autoRejoin = true;

    TestGrid(Path root) {
        this.root = root;
    }

    TestGrid withWriteDeadline(Duration deadline) {
        this.writeDeadline = deadline;
        return this;
    }

    /** Whether servers created from now on rejoin by themselves when their group closes (default true). */
    TestGrid withAutoRejoin(boolean rejoin) {
        this.autoRejoin = rejoin;
        return this;
    }

    RaftConfig config(String id) {
        return configs.computeIfAbsent(id, k -> RaftConfig.of(k, root.resolve(k), "127.0.0.1:" + freePort(), GRID_ID)
                .withElectionTimeout(Duration.ofMillis(300), Duration.ofMillis(600))
                .withLogSegments(16 * 1024, 8)
                .withWriteDeadline(writeDeadline, Duration.ofMillis(1000))
                .withAutoRejoin(autoRejoin));
    }

    /** Bootstraps {@code first} and adds each of {@code others} as a voter, one at a time. */
    List<MeshRaftServer> voters(String first, String... others) throws IOException {
        List<MeshRaftServer> out = new ArrayList<>();
        MeshRaftServer leader = put(new MeshRaftServer(config(first)).bootstrap());
        out.add(leader);
        for (String id : others) {
            MeshRaftServer s = put(new MeshRaftServer(config(id)).startEmpty(false));
            leader.addPeer(id, config(id).raftAddress(), false);
            out.add(s);
        }
        return out;
    }

    /** Starts {@code id} and has it join through the running servers. */
    MeshRaftServer join(String id, boolean asListener) throws IOException {
        return put(new MeshRaftServer(config(id)).join(contacts(), asListener));
    }

    MeshRaftServer restart(String id) throws IOException {
        return put(new MeshRaftServer(config(id)).restart());
    }

    /** Restarts {@code id} in the role the grid has for it, as a member answered, through the running servers. */
    MeshRaftServer restart(String id, boolean asListener) throws IOException {
        return put(new MeshRaftServer(config(id)).restart(asListener, contacts()));
    }

    private List<Peer> contacts() {
        return running.values().stream().map(s -> new Peer(s.nodeId(), s.config().raftAddress())).toList();
    }

    void stop(String id) {
        MeshRaftServer s = running.remove(id);
        if (s != null) {
            s.close();
        }
    }

    MeshRaftServer get(String id) {
        return running.get(id);
    }

    Collection<MeshRaftServer> running() {
        return List.copyOf(running.values());
    }

    MeshRaftServer awaitLeader() {
        await().atMost(Duration.ofSeconds(10)).until(() -> running.values().stream().anyMatch(this::leads));
        return running.values().stream().filter(this::leads).findFirst().orElseThrow();
    }

    private boolean leads(MeshRaftServer s) {
        try {
            return s.isLeader();
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Waits until every running server's image is at index {@code index} or later and all are equal. */
    ClusterImage awaitSameImage(long index) {
        await().atMost(Duration.ofSeconds(15)).until(() -> running.values().stream()
                .allMatch(s -> s.image().index() >= index)
                && running.values().stream().map(s -> s.image().index()).distinct().count() == 1);
        ClusterImage first = running.values().iterator().next().image();
        for (MeshRaftServer s : running.values()) {
            assertThat(s.image().index()).as("image index on %s", s.nodeId()).isEqualTo(first.index());
            assertThat(s.image().at()).as("image time on %s", s.nodeId()).isEqualTo(first.at());
            assertThat(s.image().toRecords()).as("records on %s", s.nodeId()).isEqualTo(first.toRecords());
        }
        return first;
    }

    private MeshRaftServer put(MeshRaftServer s) {
        running.put(s.nodeId(), s);
        return s;
    }

    /** Stops the given servers in parallel (closing one takes up to a second). */
    void stopAll(Collection<String> ids) {
        List<MeshRaftServer> servers = ids.stream().map(running::remove).filter(java.util.Objects::nonNull).toList();
        List<Thread> closers = servers.stream().map(srv -> Thread.ofPlatform().start(srv::close)).toList();
        for (Thread t : closers) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Override
    public void close() {
        stopAll(new ArrayList<>(running.keySet()));
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
