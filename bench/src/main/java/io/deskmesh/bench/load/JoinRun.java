package io.deskmesh.bench.load;

import com.fasterxml.jackson.databind.JsonNode;
import io.deskmesh.model.record.Capacity;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GridLoad join}: how long a new node takes to receive a large grid state, and how long a
 * killed server's VMs take to be re-planned, on a 3-process grid.
 * <ol>
 *   <li>A real pool (built by the nodes' reconcilers on their sim hosts) and about 100,000 VMs on
 *       bulk servers ({@link BulkState}), built through the internal commands endpoint;</li>
 *   <li>harmless log entries until the leader passes its snapshot interval, so the newcomer is sent a
 *       snapshot, as in a grid that has run for a while ({@code --pad-to-snapshot false} to skip);</li>
 *   <li>one more node joins: time until it is healthy, until its applied index reaches the leader's at
 *       the moment it started, until its image holds every VM, until the grid records it active;</li>
 *   <li>a node hosting real VMs is SIGKILLed: time until it is recorded missing and until its VMs
 *       are rebuilt on the live servers.</li>
 * </ol>
 * Not thread-safe.
 */
final class JoinRun {
    private final LoadOptions o;
    private final Report report;
    private final GridSession grid;
    private final LocalGrid local;
    private final GridClient client;
    private final Map<String, Object> figures = new LinkedHashMap<>();

    JoinRun(LoadOptions o, Report report, GridSession grid) {
        if (grid.local() == null) {
            throw new IllegalArgumentException("join starts and kills nodes itself; it cannot target --nodes");
        }
        this.o = o;
        this.report = report;
        this.grid = grid;
        this.local = grid.local();
        this.client = grid.client();
    }

    static void options(Map<String, String> o) {
        o.put("vms", "100000");
        o.put("bulk-servers", "10");
        o.put("real-pool", "300");
        o.put("allocations-per-request", "10");
        o.put("created-per-request", "1000");
        o.put("build-concurrency", "3");
        o.put("pad-to-snapshot", "true");
        o.put("snapshot-every", "10000");   // the nodes' RaftConfig.DEFAULT_SNAPSHOT_EVERY
        o.put("join-timeout", "600");
        o.put("kill-timeout", "180");
        o.put("node-jvm-args", "-Ddeskmesh.log.level=INFO");   // the snapshot lines this run reports are INFO
    }

    void run() {
        JoinSetup setup = new JoinSetup(client, grid.urls(), grid.adminToken(), report);
        String real = setup.realPool("real-" + GridSession.tag(), o.integer("real-pool", 1, 10_000),
                o.seconds("kill-timeout", 10, 3600));
        int total = 0;
        try {
            total = buildState(setup);
            if (o.flag("pad-to-snapshot")) {
                pad(setup);
            }
            join(total);
            kill(real);
        } finally {
            // What was measured is printed even when a later step failed.
            Table t = new Table("figure", "value");
            figures.forEach(t::row);
            report.out("### join: one more node receives a state of " + String.format("%,d", total) + " VMs; a node is killed\n\n"
                    + t);
        }
    }

    /** Records the bulk servers and their VMs; returns how many VMs the grid holds then. */
    private int buildState(JoinSetup setup) {
        NodeJvm node1 = local.byName("node1");
        int servers = o.integer("bulk-servers", 1, 100);
        int perServer = (o.integer("vms", 1, 1_000_000) + servers - 1) / servers;
        long t0 = System.nanoTime();
        BulkState bulk = new BulkState(client, grid.urls(), report);
        setup.importBulkImage();
        List<String> bulkServers = bulk.addServers(servers, node1.http(), JoinSetup.BULK_IMAGE, 1, "node1",
                new Capacity(4096, 16L << 20, 1L << 40));
        String bulkTemplate = setup.bulkTemplate("bulk-" + GridSession.tag());
        BulkState.Built built = bulk.build(bulkTemplate, bulkServers, perServer, o.integer("allocations-per-request", 1, 1000),
                o.integer("created-per-request", 1, 1000), o.integer("build-concurrency", 1, 64));
        setup.setDesired(bulkTemplate, built.vms());
        int total = built.vms() + o.integer("real-pool", 1, 10_000);
        long settled = Waits.until("every node holding " + total + " VMs at one index", Duration.ofMinutes(5),
                Duration.ofMillis(500), () -> setup.sameEverywhere(total), () -> GridView.summary(client, node1.url()));
        figures.put("state: VMs (bulk + real pool)", String.format("%,d + %,d on %d bulk + 3 real servers", built.vms(),
                total - built.vms(), servers));
        figures.put("build: AllocateVms (" + built.vms() / BulkState.ALLOCATION + " commands of 1,000 VMs)",
                seconds(built.allocateSeconds()));
        figures.put("build: ReportVmCreated x" + built.vms(), seconds(built.createdSeconds())
                + String.format(" (%,.0f commands/s)", built.vms() / built.createdSeconds()));
        figures.put("build: total, until all nodes applied it", seconds((System.nanoTime() - t0) / 1e9)
                + " (of which settling " + settled + " ms)");
        return total;
    }

    private void pad(JoinSetup setup) {
        NodeJvm leader = local.leader();
        long every = o.integer("snapshot-every", 1, 10_000_000);
        long index = GridView.raft(client, leader.url()).path("appliedIndex").asLong();
        int before = leader.logLines("took snapshot").size();
        long t0 = System.nanoTime();
        long requests = setup.padTo(leader.url(), (index / every + 1) * every + 20);
        double padSeconds = (System.nanoTime() - t0) / 1e9;
        Waits.until("a snapshot on leader " + leader.name(), Duration.ofSeconds(120), () -> leader.logLines("took snapshot")
                .size() > before, () -> "index " + GridView.raft(client, leader.url()).path("appliedIndex").asLong());
        String line = last(leader.logLines("took snapshot"));
        long after = GridView.raft(client, leader.url()).path("appliedIndex").asLong();
        figures.put("padding: single-command requests to pass the snapshot interval", String.format(
                "%,d requests in %s (%.0f/s; applied index %,d -> %,d)", requests, seconds(padSeconds), requests / padSeconds,
                index, after));
        figures.put("leader snapshot", line.substring(Math.max(0, line.indexOf("took snapshot"))));
    }

    private void join(int total) {
        NodeJvm leader = local.leader();
        long leaderIndex = GridView.raft(client, leader.url()).path("appliedIndex").asLong();
        String name = "node" + (local.nodes().size() + 1);
        NodeJvm n4 = local.add(name, local.byName("node1").http());
        long t0 = System.nanoTime();
        Duration limit = o.seconds("join-timeout", 10, 3600);
        local.awaitHealthy(n4, limit);
        figures.put("join: " + name + " healthy (/healthz 200)", ms(t0));
        Waits.until(name + " at the leader's index " + leaderIndex, limit, Duration.ofMillis(100),
                () -> GridView.raft(client, n4.url()).path("appliedIndex").asLong() >= leaderIndex,
                () -> name + " " + GridView.raft(client, n4.url()));
        figures.put("join: " + name + " applied index >= leader's at its start (" + leaderIndex + ")", ms(t0));
        Waits.until(name + "'s image holding " + total + " VMs", limit, Duration.ofMillis(100),
                () -> GridView.cluster(client, n4.url()).path("totals").path("vms").asInt() >= total,
                () -> GridView.summary(client, n4.url()));
        figures.put("join: " + name + "'s GET /api/v1/cluster shows all " + String.format("%,d", total) + " VMs", ms(t0));
        Waits.until(name + " active", limit, () -> "active".equals(GridView.server(GridView.cluster(client, leader.url()),
                name).path("state").asText()), () -> GridView.summary(client, leader.url()));
        figures.put("join: " + name + " recorded active", ms(t0));
        local.startMillis().forEach((other, took) -> {
            if (!other.equals("node1")) {
                figures.put("baseline: " + other + " joining the empty grid, process start to healthy",
                        seconds(took / 1000.0));
            }
        });
        List<String> loaded = n4.logLines("loaded snapshot");
        figures.put("join: how " + name + " got the state", loaded.isEmpty() ? "log replay (no snapshot installed)"
                : "snapshot: " + last(loaded).substring(last(loaded).indexOf("loaded snapshot")));
    }

    private void kill(String real) {
        NodeJvm leader = local.leader();
        JsonNode view = GridView.cluster(client, leader.url());
        JsonNode byServer = GridView.template(view, real).path("byServer");
        NodeJvm victim = local.live().stream().filter(n -> n != leader && !n.name().equals("node1"))
                .filter(n -> byServer.path(n.name()).asInt() > 0).findFirst()
                .orElseThrow(() -> new IllegalStateException("no follower other than node1 hosts VMs of " + real + ": " + byServer));
        int hosted = byServer.path(victim.name()).asInt();
        int pool = GridView.template(view, real).path("vms").asInt();
        report.say("killing " + victim.name() + ", which hosts " + hosted + " of the " + pool + " real VMs");
        victim.kill();
        long t0 = System.nanoTime();
        Duration limit = o.seconds("kill-timeout", 10, 3600);
        Waits.until(victim.name() + " recorded missing", limit, () -> "missing".equals(GridView.server(
                GridView.cluster(client, leader.url()), victim.name()).path("state").asText()),
                () -> GridView.summary(client, leader.url()));
        figures.put("kill " + victim.name() + " (hosting " + hosted + " VMs): recorded missing (--missing-after "
                + o.string("missing-after") + " s)", ms(t0));
        Waits.until(pool + " built VMs of " + real + " on live servers", limit, Duration.ofMillis(100), () -> {
            JsonNode v = GridView.cluster(client, leader.url());
            JsonNode t = GridView.template(v, real);
            return GridView.onActiveServers(v, real) == pool && GridView.built(t) == t.path("vms").asInt();
        }, () -> GridView.summary(client, leader.url()));
        figures.put("kill: its VMs re-planned and built on live servers (pool back to " + pool + ")", ms(t0));
    }

    private static String ms(long sinceNanos) {
        return seconds((System.nanoTime() - sinceNanos) / 1e9);
    }

    private static String seconds(double s) {
        return String.format("%.1f s", s);
    }

    private static String last(List<String> lines) {
        return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
    }
}
