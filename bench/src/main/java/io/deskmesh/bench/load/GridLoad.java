package io.deskmesh.bench.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Load harness against real multi-process grids; prints its figures as markdown tables.
 *
 * <pre>
 * GridLoad storm [options]   login storm: password logins, connects, connects during a password storm
 * GridLoad raft  [options]   commit throughput through POST /internal/v1/commands
 * GridLoad join  [options]   one more node joins a grid holding ~100,000 VMs; a node hosting VMs is killed
 * </pre>
 *
 * Every subcommand starts its own grid of node JVMs on loopback (the built CLI jar and its
 * {@code lib/}, copied into the run directory) and stops it at the end, also on failure; {@code storm}
 * and {@code raft} can target a running grid instead ({@code --nodes URL,URL --token T --admin-password P}).
 * Node logs, the report and JFR recordings ({@code --jfr true}) land in {@code bench/target/load/<run>/}.
 * Not thread-safe; one run per JVM.
 */
public final class GridLoad {
    private GridLoad() {
    }

    public static void main(String[] args) {
        int code;
        try {
            code = run(args);
        } catch (IllegalArgumentException e) {
            System.err.println("gridload: " + e.getMessage());
            code = 2;
        }
        System.exit(code);
    }

    static int run(String[] args) {
        if (args.length == 0 || !Map.of("storm", 1, "raft", 1, "join", 1).containsKey(args[0])) {
            System.err.println(usage());
            return 2;
        }
        String command = args[0];
        LoadOptions o = new LoadOptions(command, options(command), Arrays.copyOfRange(args, 1, args.length));
        Path runDir = runDir(o, command);
        Report report = new Report(runDir);
        report.say("run directory " + runDir);
        report.out("## GridLoad " + command + " — " + LocalDateTime.now().withNano(0) + "\n\n`" + o.commandLine() + "`\n\n"
                + Runtime.getRuntime().availableProcessors() + " cores; load average at start " + loadAverage());
        int nodes = o.integer("grid-nodes", 3, 9);
        try (GridSession grid = GridSession.open(o, report, runDir, nodes)) {
            switch (command) {
                case "storm" -> new StormRun(o, report, grid).run();
                case "raft" -> new RaftRun(o, report, grid).run();
                case "join" -> new JoinRun(o, report, grid).run();
                default -> throw new IllegalStateException(command);
            }
            report.say(command + " done in " + String.format("%.0f", report.elapsedSeconds()) + " s");
            report.out("Whole run " + String.format("%.0f", report.elapsedSeconds()) + " s; load average at the end "
                    + loadAverage() + " (the machine is shared: other work competes with the grid for the cores).");
            return 0;
        } catch (RuntimeException e) {
            report.say(command + " FAILED: " + e.getMessage());
            e.printStackTrace();
            return 1;
        } finally {
            report.say("report in " + runDir.resolve("report.md"));
        }
    }

    private static Map<String, String> options(String command) {
        Map<String, String> o = new LinkedHashMap<>();
        o.put("grid-nodes", "3");
        o.put("nodes", "");
        o.put("token", "");
        o.put("admin-user", "admin");
        o.put("admin-password", "");
        o.put("cli-jar", "cli/target/deskmesh-cli.jar");
        o.put("out", "bench/target/load");
        o.put("node-jvm-args", "");
        o.put("jfr", "false");
        o.put("sim-cpus", "1024");
        o.put("sim-memory-mb", "1048576");
        o.put("sim-disk-mb", "8388608");
        o.put("missing-after", "5");
        switch (command) {
            case "storm" -> StormOptions.add(o);
            case "raft" -> RaftRun.options(o);
            case "join" -> JoinRun.options(o);
            default -> throw new IllegalStateException(command);
        }
        return o;
    }

    private static Path runDir(LoadOptions o, String command) {
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        Path dir = Path.of(o.string("out")).toAbsolutePath().resolve(command + "-" + stamp);
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot create the run directory " + dir + ": " + e.getMessage());
        }
    }

    /** The 1, 5 and 15 minute load averages, as Linux reports them. */
    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " / " + f[1] + " / " + f[2];
        } catch (IOException | RuntimeException e) {
            return "(unknown)";
        }
    }

    static String usage() {
        StringBuilder b = new StringBuilder("usage: GridLoad storm|raft|join [--option value ...]\n"
                + "  run from the repository root after 'mvn -q -o -pl cli,bench -am package -DskipTests',\n"
                + "  with a JDK 21+ java (the nodes are started with the same java)\n");
        for (String c : new String[] {"storm", "raft", "join"}) {
            b.append("\n  ").append(c).append(" options (default):\n")
                    .append(new LoadOptions(c, options(c), new String[0]).usage());
        }
        return b.toString();
    }
}
