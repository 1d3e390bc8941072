package io.deskmesh.bench.load;

import io.deskmesh.model.command.MeshCommand;
import io.deskmesh.model.command.RecordAuditCommand;

import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code GridLoad raft}: commit throughput of a 3-process grid through {@code POST /internal/v1/commands},
 * with a harmless command ({@code RecordAuditCommand}, type 90). Modes, each warmed up then measured
 * for a fixed time:
 * <ul>
 *   <li>one command per request, one client: about one command per log entry (to the leader, and to a
 *       follower, which forwards);</li>
 *   <li>one command per request from many concurrent clients over every node: each node's submitter
 *       groups what queued while entries were in flight into one entry (group commit);</li>
 *   <li>requests of 100 commands: one entry each (at most the submitter's batch of 256).</li>
 * </ul>
 * Entries per second come from the leader's applied index ({@code /healthz}), which an idle grid
 * moves only for these writes. Not thread-safe.
 */
final class RaftRun {
    private final LoadOptions o;
    private final Report report;
    private final GridSession grid;
    private final Table table = new Table("mode", "clients", "commands/request", "requests/s", "commands/s",
            "command entries/s", "commands/entry", "p50 ms", "p99 ms", "grid CPU µs/command", "failures");
    private long metadata;

    RaftRun(LoadOptions o, Report report, GridSession grid) {
        this.o = o;
        this.report = report;
        this.grid = grid;
    }

    static void options(Map<String, String> o) {
        o.put("seconds", "10");
        o.put("warmup-seconds", "3");
        o.put("concurrency", "8,64");
        o.put("batch", "100");
        o.put("batch-concurrency", "1,8");
        o.put("grid-warmup-seconds", "20");   // mixed load before any mode, so the JIT has compiled the write path
    }

    void run() {
        List<String> urls = grid.urls();
        String leader = leaderUrl(urls);
        String follower = urls.stream().filter(u -> !u.equals(leader)).findFirst().orElse(leader);
        report.say("leader " + leader + ", follower " + follower);
        int warm = o.integer("grid-warmup-seconds", 0, 3600);
        if (warm > 0) {
            report.say("warming the grid up for " + warm + " s");
            RecordAuditCommand tick = new RecordAuditCommand("bench", "warmup", "", "", true, "");
            drive(urls, 64, List.of(tick), Duration.ofSeconds(warm / 2), new Tally());
            drive(urls, 8, Collections.nCopies(100, tick), Duration.ofSeconds(warm - warm / 2), new Tally());
        }
        measure("(a) sequential, at the leader", List.of(leader), 1, 1);
        measure("(a) sequential, at a follower", List.of(follower), 1, 1);
        for (String c : o.list("concurrency")) {
            measure("(b) concurrent single commands, all nodes", urls, Integer.parseInt(c), 1);
        }
        int batch = o.integer("batch", 1, 1000);
        for (String c : o.list("batch-concurrency")) {
            measure("(c) " + batch + "-command requests, all nodes", urls, Integer.parseInt(c), batch);
        }
        report.out("### raft: commit throughput through POST /internal/v1/commands (RecordAuditCommand)\n\n" + table
                + "\nAfter " + o.string("grid-warmup-seconds") + " s of mixed load, each mode: " + o.string("warmup-seconds")
                + " s warm-up, then " + o.string("seconds") + " s measured."
                + " Command entries are counted in the leader's Raft log segments over the measured index range (Ratis"
                + " also appends a metadata entry when the commit index moves: " + metadata + " of them over all modes,"
                + " not counted); commands/entry = commands/s over command entries/s. Latency is per request, submit to"
                + " the answering node's own apply. Grid CPU is the three node JVMs' CPU time over the measured time,"
                + " per command committed.");
    }

    private void measure(String mode, List<String> urls, int clients, int perRequest) {
        List<MeshCommand> commands = Collections.nCopies(perRequest,
                new RecordAuditCommand("bench", "tick", "", "", true, ""));
        drive(urls, clients, commands, o.seconds("warmup-seconds", 0, 600), new Tally());
        String leader = leaderUrl(grid.urls());
        long before = GridView.raft(grid.client(), leader).path("appliedIndex").asLong();
        Tally tally = new Tally();
        CpuMeter.Snapshot cpu0 = CpuMeter.now(grid.local());
        tally.start();
        drive(urls, clients, commands, o.seconds("seconds", 1, 3600), tally);
        tally.end();
        CpuMeter.Snapshot cpu1 = CpuMeter.now(grid.local());
        long after = GridView.raft(grid.client(), leader).path("appliedIndex").asLong();
        double cmds = tally.successes() * (double) perRequest / tally.seconds();
        String entriesCell;
        double entries;
        if (grid.local() != null) {
            Waits.sleep(Duration.ofMillis(300)); // the leader's own log write may trail its commit
            RaftLogCounter.Counts c = RaftLogCounter.count(leaderNode(leader).dataDir(), before, after);
            entries = c.commands() / tally.seconds();
            entriesCell = Table.cell(entries) + (c.complete() ? "" : " (part purged)");
            metadata += c.metadata();
        } else {
            entries = (after - before) / tally.seconds();
            entriesCell = "<= " + Table.cell(entries) + " (applied index, incl. Ratis metadata entries)";
        }
        double gridCpu = gridCpuSeconds(cpu0, cpu1);
        String perEntry = entries > 0 ? (grid.local() != null ? "" : ">= ") + Table.cell(cmds / entries) : "–";
        table.row(mode, clients, perRequest, tally.rate(), cmds, entriesCell, perEntry,
                tally.percentileMillis(50), tally.percentileMillis(99),
                gridCpu > 0 ? 1e6 * gridCpu / (tally.successes() * (double) perRequest) : Double.NaN, tally.failureSummary());
        report.say(String.format("%s x%d: %.0f commands/s, %.0f command entries/s (index +%d), p99 %.1f ms", mode, clients,
                cmds, entries, after - before, tally.percentileMillis(99)));
    }

    private static double gridCpuSeconds(CpuMeter.Snapshot a, CpuMeter.Snapshot b) {
        double s = 0;
        for (var e : b.nodes().entrySet()) {
            if (a.nodes().containsKey(e.getKey())) {
                s += (e.getValue().toNanos() - a.nodes().get(e.getKey()).toNanos()) / 1e9;
            }
        }
        return s;
    }

    private NodeJvm leaderNode(String url) {
        return grid.local().nodes().stream().filter(n -> n.url().equals(url)).findFirst().orElseThrow();
    }

    /** Sends requests from {@code clients} closed-loop clients, round-robin over {@code urls}, for {@code time}. */
    private void drive(List<String> urls, int clients, List<MeshCommand> commands, Duration time, Tally tally) {
        String body = GridClient.commandsBody(commands);
        long until = System.nanoTime() + time.toNanos();
        AtomicInteger n = new AtomicInteger();
        ClosedLoop.run(() -> {
            if (System.nanoTime() >= until) {
                return null;
            }
            String url = urls.get(Math.floorMod(n.getAndIncrement(), urls.size()));
            return () -> {
                CompletableFuture<Answer> a = grid.client().commands(url, body, Duration.ofSeconds(30));
                return a.thenAccept(tally::record);
            };
        }, clients, time.plusSeconds(60));
    }

    private String leaderUrl(List<String> urls) {
        for (String u : urls) {
            if ("LEADER".equals(GridView.raft(grid.client(), u).path("role").asText())) {
                return u;
            }
        }
        throw new IllegalStateException("no node of " + urls + " says it is the Raft leader");
    }
}
