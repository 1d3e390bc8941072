package io.deskmesh.node.http;

import io.deskmesh.model.image.ClusterImage;
import io.deskmesh.model.record.VmState;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * The node's Prometheus metrics: applied index, leadership, commit latency, VMs by state, sessions,
 * servers, reconciler actions. The image gauges are counted from the latest image when scraped, once
 * per image index, so new images cost nothing until someone looks. Thread-safe.
 */
public final class NodeMetrics {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private volatile ClusterImage latest = ClusterImage.EMPTY;
    private volatile Counts counted;
    private final Timer commit;

    public NodeMetrics(String node, LongSupplier appliedIndex, BooleanSupplier leader, LongSupplier actionsStarted,
                       LongSupplier actionsFailed) {
        registry.config().commonTags("node", node);
        Gauge.builder("deskmesh_raft_applied_index", appliedIndex::getAsLong).register(registry);
        Gauge.builder("deskmesh_raft_leader", () -> leader.getAsBoolean() ? 1 : 0)
                .description("1 when this node leads the grid's Raft group").register(registry);
        for (VmState s : VmState.values()) {
            Gauge.builder("deskmesh_vms", () -> counts().vms().getOrDefault(s, 0)).tag("state", s.name().toLowerCase())
                    .register(registry);
        }
        Gauge.builder("deskmesh_sessions", () -> counts().sessions()).register(registry);
        Gauge.builder("deskmesh_servers", () -> counts().servers()).register(registry);
        Gauge.builder("deskmesh_servers_missing", () -> counts().missing()).register(registry);
        Gauge.builder("deskmesh_reconciler_actions_started", actionsStarted::getAsLong).register(registry);
        Gauge.builder("deskmesh_reconciler_actions_failed", actionsFailed::getAsLong).register(registry);
        commit = Timer.builder("deskmesh_commit_latency").description("submit to local apply, seconds")
                .publishPercentiles(0.5, 0.95, 0.99).register(registry);
    }

    /** Takes a new image; the gauges read it when scraped (so a stream of log entries costs nothing here). */
    public void onImage(ClusterImage image) {
        latest = image;
    }

    /** The figures of the latest image, counted once per image index however many gauges read them. */
    private Counts counts() {
        ClusterImage image = latest;
        Counts c = counted;
        if (c == null || c.index != image.index()) {
            c = new Counts(image.index(), ClusterView.vmsByState(image), image.sessions().size(),
                    image.servers().size(), image.servers().all().stream().filter(s -> s.missing()).count());
            counted = c;
        }
        return c;
    }

    private record Counts(long index, Map<VmState, Integer> vms, long sessions, long servers, long missing) {
    }

    public Timer commitLatency() {
        return commit;
    }

    public String scrape() {
        return registry.scrape();
    }
}
