package io.deskmesh.bench.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * CPU time spent during a phase: by each local node JVM, by the harness itself, and by the whole
 * machine (from {@code /proc/stat}), so a figure can be read as "this many milliseconds of grid CPU
 * per operation" and against how much of the machine the grid actually got on a shared host.
 * Immutable snapshots; thread-safe.
 */
final class CpuMeter {
    /** CPU times at one instant. */
    record Snapshot(long wallNanos, Map<String, Duration> nodes, Duration harness, long machineBusy, long machineTotal) {
    }

    private CpuMeter() {
    }

    static Snapshot now(LocalGrid grid) {
        Map<String, Duration> nodes = new LinkedHashMap<>();
        if (grid != null) {
            for (NodeJvm n : grid.nodes()) {
                ProcessHandle.of(n.pid()).flatMap(p -> p.info().totalCpuDuration()).ifPresent(d -> nodes.put(n.name(), d));
            }
        }
        Duration harness = ProcessHandle.current().info().totalCpuDuration().orElse(Duration.ZERO);
        long[] machine = machine();
        return new Snapshot(System.nanoTime(), nodes, harness, machine[0], machine[1]);
    }

    /**
     * One line: grid CPU seconds (per node), the harness's, cores used, machine busy share, and
     * {@code perOp} milliseconds of grid CPU per operation when {@code ops} > 0.
     */
    static String between(Snapshot a, Snapshot b, long ops, String op) {
        double wall = (b.wallNanos() - a.wallNanos()) / 1e9;
        double grid = 0;
        StringBuilder perNode = new StringBuilder();
        for (Map.Entry<String, Duration> e : b.nodes().entrySet()) {
            Duration before = a.nodes().get(e.getKey());
            if (before == null) {
                continue;
            }
            double s = (e.getValue().toNanos() - before.toNanos()) / 1e9;
            grid += s;
            perNode.append(perNode.isEmpty() ? "" : ", ").append(e.getKey()).append(' ').append(Table.cell(s));
        }
        double harness = (b.harness().toNanos() - a.harness().toNanos()) / 1e9;
        long total = b.machineTotal() - a.machineTotal();
        double busy = total <= 0 ? Double.NaN : 100.0 * (b.machineBusy() - a.machineBusy()) / total;
        String gridPart = perNode.isEmpty() ? "grid not measured (its nodes run elsewhere)"
                : String.format(java.util.Locale.ROOT, "grid %.1f s (%s) = %.2f cores", grid, perNode, grid / wall);
        StringBuilder s = new StringBuilder(String.format(java.util.Locale.ROOT,
                "CPU over %.1f s: %s; harness %.1f s; this machine %.0f%% busy", wall, gridPart, harness, busy));
        if (ops > 0 && grid > 0) {
            s.append(String.format(java.util.Locale.ROOT, "; %.1f ms of grid CPU per %s", 1000 * grid / ops, op));
        }
        return s.append('.').toString();
    }

    /** [busy, total] jiffies of all CPUs, or zeros when /proc/stat is not readable. */
    private static long[] machine() {
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/stat"));
            String[] f = lines.get(0).trim().split("\\s+");
            long total = 0;
            for (int i = 1; i < f.length; i++) {
                total += Long.parseLong(f[i]);
            }
            long idle = Long.parseLong(f[4]) + (f.length > 5 ? Long.parseLong(f[5]) : 0);
            return new long[] {total - idle, total};
        } catch (IOException | RuntimeException e) {
            return new long[] {0, 0};
        }
    }
}
