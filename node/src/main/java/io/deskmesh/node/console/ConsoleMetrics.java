package io.deskmesh.node.console;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The console proxy's Prometheus metrics, by kind of console ({@code local}: the VM is on this node;
 * {@code hop}: this front door goes through the VM's host; {@code host}: this node serves a hop for
 * another front door):
 * <ul>
 *   <li>{@code deskmesh_console_connections_total{kind}} consoles attached to their VM;</li>
 *   <li>{@code deskmesh_console_open{kind}} consoles open now;</li>
 *   <li>{@code deskmesh_console_bytes_total{kind,direction}} bytes from the client ({@code in}) and to it ({@code out});</li>
 *   <li>{@code deskmesh_console_closed_total{reason}} consoles closed, by {@link ConsoleClose} (refusals included);</li>
 *   <li>{@code deskmesh_console_native_auth_total{outcome}} VNC viewers at the native entry: {@code admitted},
 *       {@code wrong} password, {@code expired}, {@code limited} (too many failures), {@code busy} (too many handshakes).</li>
 * </ul>
 * Its own registry, tagged with the node, scraped after the node's. Thread-safe.
 */
public final class ConsoleMetrics {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Map<Splice.Kind, Counter> connections = new EnumMap<>(Splice.Kind.class);
    private final Map<Splice.Kind, AtomicLong> open = new EnumMap<>(Splice.Kind.class);
    private final Map<Splice.Kind, Counter> in = new EnumMap<>(Splice.Kind.class);
    private final Map<Splice.Kind, Counter> out = new EnumMap<>(Splice.Kind.class);
    private final Map<ConsoleClose, Counter> closed = new EnumMap<>(ConsoleClose.class);
    private final Map<String, Counter> nativeAuth = new java.util.TreeMap<>();

    public ConsoleMetrics(String node) {
        registry.config().commonTags("node", node);
        for (Splice.Kind k : Splice.Kind.values()) {
            String kind = k.label();
            connections.put(k, Counter.builder("deskmesh_console_connections").tag("kind", kind)
                    .description("consoles attached to their VM").register(registry));
            AtomicLong n = new AtomicLong();
            open.put(k, n);
            Gauge.builder("deskmesh_console_open", n::get).tag("kind", kind).description("consoles open now")
                    .register(registry);
            in.put(k, Counter.builder("deskmesh_console_bytes").tag("kind", kind).tag("direction", "in")
                    .description("console bytes from clients (in) and to them (out)").register(registry));
            out.put(k, Counter.builder("deskmesh_console_bytes").tag("kind", kind).tag("direction", "out")
                    .description("console bytes from clients (in) and to them (out)").register(registry));
        }
        for (ConsoleClose c : ConsoleClose.values()) {
            closed.put(c, Counter.builder("deskmesh_console_closed").tag("reason", c.name().toLowerCase())
                    .description("consoles closed, refusals included").register(registry));
        }
        for (String outcome : new String[]{"admitted", "wrong", "expired", "limited", "busy"}) {
            nativeAuth.put(outcome, Counter.builder("deskmesh_console_native_auth").tag("outcome", outcome)
                    .description("VNC viewers at the native console entry, by outcome").register(registry));
        }
    }

    /** A VNC viewer's authentication at the native entry ended so: one of the outcomes documented above. */
    void nativeAuth(String outcome) {
        Counter c = nativeAuth.get(outcome);
        if (c == null) {
            throw new IllegalArgumentException("unknown native console outcome '" + outcome + "'");
        }
        c.increment();
    }

    void opened(Splice.Kind kind) {
        open.get(kind).incrementAndGet();
    }

    void attached(Splice.Kind kind) {
        connections.get(kind).increment();
    }

    void closed(Splice.Kind kind, ConsoleClose why) {
        open.get(kind).decrementAndGet();
        closed.get(why).increment();
    }

    /** A console refused before it opened. */
    void refused(ConsoleClose why) {
        closed.get(why).increment();
    }

    void fromClient(Splice.Kind kind, int bytes) {
        in.get(kind).increment(bytes);
    }

    void toClient(Splice.Kind kind, int bytes) {
        out.get(kind).increment(bytes);
    }

    /** Consoles open now, of every kind. */
    public long open() {
        return open.values().stream().mapToLong(AtomicLong::get).sum();
    }

    /** Bytes carried so far, in one direction ({@code in}: from clients), over every kind. */
    public double bytes(boolean fromClients) {
        return (fromClients ? in : out).values().stream().mapToDouble(Counter::count).sum();
    }

    /** The Prometheus text exposition. */
    public String scrape() {
        return registry.scrape();
    }
}
