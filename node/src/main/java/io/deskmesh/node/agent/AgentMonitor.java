package io.deskmesh.node.agent;

import io.deskmesh.model.command.ConnectSessionCommand;
import io.deskmesh.model.command.EndSessionCommand;
import io.deskmesh.model.command.MarkVmUnhealthyCommand;
import io.deskmesh.model.command.MeshCommand;
import io.deskmesh.model.command.Reply;
import io.deskmesh.model.image.ClusterImage;
import io.deskmesh.model.image.SessionImage;
import io.deskmesh.model.image.VmImage;
import io.deskmesh.model.record.VmState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Listens to the desktop agents of this host's running VMs and turns what they say into grid
 * commands; thread-safe.
 *
 * <ul>
 *   <li>A VM whose agent has spoken ({@code ready} or {@code heartbeat}) is <em>ready</em>.</li>
 *   <li>A ready VM whose agent then stays silent for {@code silentAfter} is marked unhealthy
 *       ({@link MarkVmUnhealthyCommand}): out of brokering, and the planners replace it. A VM
 *       whose agent never spoke is left alone: its guest may have no agent at all.</li>
 *   <li>{@code login USER} on a VM holding a session of that user records the session connected;
 *       {@code logout USER} ends it, so a non-persistent desktop is regenerated.</li>
 * </ul>
 * Each open channel has one reader (a virtual thread); {@link #tick()} (every second once
 * {@linkplain #start() started}) opens channels of VMs that started and judges silence.
 */
public final class AgentMonitor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AgentMonitor.class);
    private static final long REOPEN_AFTER_MS = 1_000;

    private final String self;
    private final AgentChannels channels;
    private final Supplier<ClusterImage> images;
    private final Function<MeshCommand, CompletableFuture<Reply>> gateway;
    private final LongSupplier clock;
    private final Duration silentAfter;
    private final Map<String, Watch> watches = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("agent-monitor").daemon().factory());

    public AgentMonitor(String self, AgentChannels channels, Supplier<ClusterImage> images,
                        Function<MeshCommand, CompletableFuture<Reply>> gateway, LongSupplier clock, Duration silentAfter) {
        this.self = self;
        this.channels = channels;
        this.images = images;
        this.gateway = gateway;
        this.clock = clock;
        this.silentAfter = silentAfter;
    }

    /** Ticks every second until closed. */
    public void start() {
        timer.scheduleWithFixedDelay(() -> {
            try {
                tick();
            } catch (RuntimeException e) {
                LOG.warn("agent monitor pass failed: {}", e.toString());
            }
        }, 1, 1, TimeUnit.SECONDS);
    }

    /** Opens channels of this host's running VMs, drops those of other VMs, and reports silent agents. */
    public void tick() {
        ClusterImage image = images.get();
        long now = clock.getAsLong();
        Set<String> running = new HashSet<>();
        for (VmImage vm : image.vms().all()) {
            if (self.equals(vm.server()) && vm.state() == VmState.RUNNING) {
                running.add(vm.vmId());
            }
        }
        watches.keySet().removeIf(vmId -> {
            if (!running.contains(vmId)) {
                watches.get(vmId).close();
                return true;
            }
            return false;
        });
        for (String vmId : running) {
            Watch w = watches.computeIfAbsent(vmId, Watch::new);
            w.openIfDue(now);
            if (w.silentFor(now) >= silentAfter.toMillis() && !w.reported) {
                w.reported = true;
                String reason = "its desktop agent has been silent for " + (w.silentFor(now) / 1000) + " s";
                LOG.warn("VM {}: {}; marking it unhealthy", vmId, reason);
                gateway.apply(new MarkVmUnhealthyCommand(vmId, reason));
            }
        }
    }

    /** Whether the VM's agent has spoken since this node began watching it. */
    public boolean ready(String vmId) {
        Watch w = watches.get(vmId);
        return w != null && w.lastHeard >= 0;
    }

    /** The VMs whose agents are ready, sorted. */
    public Set<String> readyVms() {
        Set<String> out = new java.util.TreeSet<>();
        watches.forEach((id, w) -> {
            if (w.lastHeard >= 0) {
                out.add(id);
            }
        });
        return out;
    }

    /** Sends one line to the VM's agent; false when no channel to it is open. */
    public boolean send(String vmId, String line) throws IOException {
        Watch w = watches.get(vmId);
        AgentConnection c = w == null ? null : w.connection;
        if (c == null) {
            return false;
        }
        c.send(line);
        return true;
    }

    void onEvent(String vmId, AgentEvent event) {
        if (event.kind() == AgentEvent.Kind.LOGIN || event.kind() == AgentEvent.Kind.LOGOUT) {
            ClusterImage image = images.get();
            Optional<SessionImage> session = image.vms().get(vmId).map(VmImage::sessionId)
                    .flatMap(id -> image.sessions().get(id));
            if (session.isEmpty() || !session.get().user().equals(event.user())) {
                LOG.info("VM {}: agent reports {} of '{}', who holds no session on it; ignored", vmId,
                        event.kind().name().toLowerCase(java.util.Locale.ROOT), event.user());
                return;
            }
            gateway.apply(event.kind() == AgentEvent.Kind.LOGIN ? new ConnectSessionCommand(session.get().id())
                    : new EndSessionCommand(session.get().id(), "user '" + event.user() + "' logged out of the desktop"));
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
        watches.values().forEach(Watch::close);
        watches.clear();
    }

    /** One running VM's channel and what its agent last said. */
    private final class Watch {
        private final String vmId;
        private final long since = clock.getAsLong();
        volatile AgentConnection connection;
        volatile long lastHeard = -1;
        volatile long nextOpen;
        volatile boolean reported;
        volatile boolean closed;

        Watch(String vmId) {
            this.vmId = vmId;
        }

        long silentFor(long now) {
            return lastHeard < 0 ? -1 : now - lastHeard;
        }

        synchronized void openIfDue(long now) {
            if (connection != null || closed || now < nextOpen) {
                return;
            }
            nextOpen = now + REOPEN_AFTER_MS;
            try {
                Optional<AgentConnection> c = channels.open(vmId);
                if (c.isPresent()) {
                    connection = c.get();
                    Thread.ofVirtual().name("agent-" + vmId).start(() -> read(c.get()));
                }
            } catch (IOException e) {
                LOG.debug("VM {}: agent channel not open yet: {}", vmId, e.toString());
            }
        }

        private void read(AgentConnection c) {
            try (c) {
                String line;
                while (!closed && (line = c.readLine()) != null) {
                    Optional<AgentEvent> event = AgentEvent.parse(line);
                    if (event.isEmpty()) {
                        continue;
                    }
                    if (lastHeard < 0) {
                        LOG.info("VM {}: desktop agent ready ({} s after the node saw it running)", vmId,
                                (clock.getAsLong() - since) / 1000);
                    }
                    lastHeard = clock.getAsLong();
                    onEvent(vmId, event.get());
                }
            } catch (IOException e) {
                LOG.debug("VM {}: agent channel closed: {}", vmId, e.toString());
            } finally {
                connection = null;
            }
        }

        void close() {
            closed = true;
            AgentConnection c = connection;
            if (c != null) {
                try {
                    c.close();
                } catch (IOException e) {
                    LOG.debug("closing the agent channel of VM {} failed: {}", vmId, e.toString());
                }
            }
        }
    }
}
