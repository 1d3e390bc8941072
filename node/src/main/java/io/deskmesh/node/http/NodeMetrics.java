package io.deskmesh.node.http;

import io.deskmesh.model.image.ClusterImage;
import io.deskmesh.model.record.VmState;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * The node's Prometheus metrics: applied index, leadership, commit latency, VMs by state, sessions,
 * servers, reconciler actions. Gauges read values the image listener refreshes, so a scrape never
 * walks the image. Thread-safe.
 */
public final class NodeMetrics {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Map<VmState, AtomicLong> vms = new EnumMap<>(VmState.class);
    private final AtomicLong sessions = new AtomicLong();
    private final AtomicLong servers = new AtomicLong();
    private final AtomicLong missing = new AtomicLong();
    private final Timer commit;

    public NodeMetrics(String node, LongSupplier appliedIndex, BooleanSupplier leader, LongSupplier actionsStarted,
                       LongSupplier actionsFailed) {
        registry.config().commonTags("node", node);
        Gauge.builder("deskmesh_raft_applied_index", appliedIndex::getAsLong).register(registry);
        Gauge.builder("deskmesh_raft_leader", () -> leader.getAsBoolean() ? 1 : 0)
                .description("1 when this node leads the grid's Raft group").register(registry);
        for (VmState s : VmState.values()) {
            AtomicLong n = new AtomicLong();
            vms.put(s, n);
            Gauge.builder("deskmesh_vms", n::get).tag("state", s.name().toLowerCase()).register(registry);
        }
        Gauge.builder("deskmesh_sessions", sessions::get).register(registry);
        Gauge.builder("deskmesh_servers", servers::get).register(registry);
        Gauge.builder("deskmesh_servers_missing", missing::get).register(registry);
        Gauge.builder("deskmesh_reconciler_actions_started", actionsStarted::getAsLong).register(registry);
        Gauge.builder("deskmesh_reconciler_actions_failed", actionsFailed::getAsLong).register(registry);
        commit = Timer.builder("deskmesh_commit_latency").description("submit to local apply, seconds")
                .publishPercentiles(0.5, 0.95, 0.99).register(registry);
    }

    /** Refreshes the gauges from a new image (called off the apply thread). */
    public void onImage(ClusterImage image) {
        Map<VmState, Integer> counts = ClusterView.vmsByState(image);
        counts.forEach((s, n) -> vms.get(s).set(n));
        sessions.set(image.sessions().size());
        servers.set(image.servers().size());
        missing.set(image.servers().all().stream().filter(s -> s.missing()).count());
    }

    public Timer commitLatency() {
        return commit;
    }

    public String scrape() {
        return registry.scrape();
    }
}
