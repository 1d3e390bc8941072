package io.deskmesh.bench;

import io.deskmesh.bench.SizeMeasurement.Figures;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Prints the planner figures the benchmark issue asks for as markdown tables, without JMH: for each
 * grid size a steady-state image ({@link SyntheticGrid}) with its retained heap per VM, full re-plan
 * time (steady and after 5% of servers went missing) with a per-stage breakdown, replay cost per
 * record, routing and reservation cost per login ({@link SizeMeasurement}); then placement quality
 * from an empty grid ({@link ConvergenceRun}). Each size and each convergence runs in a JVM of its
 * own (same java, flags and class path), so the JIT has seen only that size, as on a real node, and
 * the heap measured holds only that grid; {@code --in-process} keeps everything in this JVM.
 *
 * <pre>
 * java -Xmx10g -cp bench/target/deskmesh-bench.jar io.deskmesh.bench.PlannerReport
 *      [--sizes 10,100,1000,10000] [--converge 10,100,1000,10000] [--converge-rounds 100] [--converge-seconds 150]
 *      [--in-process]
 * </pre>
 */
public final class PlannerReport {
    static final double PLAN_TARGET_MS = 50;
    static final double REPLAY_TARGET_US = 10;
    static final double MEMORY_TARGET_BYTES = 1024;
    static final int MEMORY_JUDGED_FROM_VMS = 100_000;
    static final double SPREAD_TARGET_PP = 10;
    /** Marks a child JVM's result lines: the tag, then the section letter, then the text. */
    private static final String TAG = "@@";

    /** The report's parts; a child prints its lines tagged with one of these. */
    private enum Section {
        FIGURES, STAGES, QUALITY, TARGETS
    }

    private final Map<Section, List<String>> lines = new EnumMap<>(Section.class);

    private PlannerReport() {
        for (Section s : Section.values()) {
            lines.put(s, new ArrayList<>());
        }
    }

    public static void main(String[] args) {
        int[] sizes = {10, 100, 1000, 10000};
        int[] converge = {10, 100, 1000, 10000};
        int rounds = 100;
        double seconds = 150;
        boolean inProcess = false;
        boolean child = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--sizes" -> sizes = ints(args[++i]);
                case "--converge" -> converge = ints(args[++i]);
                case "--converge-rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--converge-seconds" -> seconds = Double.parseDouble(args[++i]);
                case "--in-process" -> inProcess = true;
                case "--child" -> child = true;
                default -> {
                    System.err.println("unknown option '" + args[i] + "'; use --sizes, --converge, --converge-rounds,"
                            + " --converge-seconds (lists are comma-separated server counts, e.g. 10,100,1000), --in-process");
                    System.exit(2);
                }
            }
        }
        PlannerReport report = new PlannerReport();
        if (child) {
            report.measureHere(sizes, converge, rounds, seconds);
            report.lines.forEach((section, text) -> text.forEach(l -> System.out.println(TAG + section.ordinal() + l)));
            return;
        }
        for (int s : sizes) {
            report.measure(new int[]{s}, new int[0], rounds, seconds, inProcess);
        }
        for (int s : converge) {
            report.measure(new int[0], new int[]{s}, rounds, seconds, inProcess);
        }
        report.print(System.out, rounds, seconds);
    }

    private void measure(int[] sizes, int[] converge, int rounds, double seconds, boolean inProcess) {
        if (inProcess) {
            measureHere(sizes, converge, rounds, seconds);
            return;
        }
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), PlannerReport.class.getName(), "--child",
                "--sizes", join(sizes), "--converge", join(converge), "--converge-rounds", Integer.toString(rounds),
                "--converge-seconds", Double.toString(seconds)));
        try {
            Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    if (line.startsWith(TAG)) {
                        lines.get(Section.values()[line.charAt(TAG.length()) - '0']).add(line.substring(TAG.length() + 1));
                    } else {
                        System.err.println(line);
                    }
                }
            }
            if (p.waitFor() != 0) {
                throw new IllegalStateException("measuring sizes " + join(sizes) + " / convergence " + join(converge)
                        + " failed with exit code " + p.exitValue() + "; see its output above, or rerun with --in-process");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void measureHere(int[] sizes, int[] converge, int rounds, double seconds) {
        if (sizes.length > 0) {
            SyntheticGrid.build(10, SyntheticGrid.vmsFor(10));
        }
        for (int s : sizes) {
            progress("size " + s + " servers: building and measuring");
            add(SizeMeasurement.measure(s));
        }
        for (int s : converge) {
            progress("size " + s + " servers: converging from an empty grid");
            add(new ConvergenceRun(s, rounds, seconds).run());
        }
    }

    private void add(Figures f) {
        lines.get(Section.FIGURES).add(String.format(Locale.ROOT,
                "| %,d | %,d | %,d | %,d | %.1f | %,d | %,.0f | %s (%d) | %s (%d) | %s | %s | %s | %s | %s |",
                f.servers(), f.vms(), f.users(), f.records(), f.buildSeconds(), f.heapBytes() >> 20, f.bytesPerVm(),
                ms(f.steady()), f.steadyActions(), ms(f.missing()), f.missingActions(), us(f.replayEntry()),
                us(f.replayDelta()), us(f.sessionEntry()), us(f.route()), us(f.reserve())));
        stageRow(f.servers(), "steady", f.steadyStagesMs());
        stageRow(f.servers(), "5% missing", f.missingStagesMs());
        if (f.servers() == 1000) {
            verdict("full re-plan, 1,000 servers / 100,000 VMs, < 50 ms", ms(f.steady()) + " ms",
                    f.steady().cpu() < PLAN_TARGET_MS);
            verdict("replay one record (own log entry), 100,000 VMs, < 10 µs", us(f.replayEntry()) + " µs",
                    f.replayEntry().cpu() < REPLAY_TARGET_US);
        }
        // Below 100,000 VMs the grid's fixed part (200 templates, their replicas, users) dominates the per-VM figure.
        if (f.vms() >= MEMORY_JUDGED_FROM_VMS) {
            verdict("image memory < 1 KiB per VM at " + f.servers() + " servers", String.format(Locale.ROOT, "%,.0f B",
                    f.bytesPerVm()), f.bytesPerVm() < MEMORY_TARGET_BYTES);
        }
    }

    private void stageRow(int servers, String what, double[] t) {
        lines.get(Section.STAGES).add(String.format(Locale.ROOT, "| %,d | %s | %s | %s | %s | %s |", servers, what,
                ms(t[0]), ms(t[1]), ms(t[2]), ms(t[3])));
    }

    private void add(ConvergenceRun.Result r) {
        qualityRow(r, "fill", r.fill());
        qualityRow(r, "5% lost", r.afterLoss());
        verdict("spread after convergence < 10 pp at " + r.servers() + " servers", String.format(Locale.ROOT,
                "%.1f pp fill%s, %.1f pp after loss%s", r.fill().spreadPp(), r.fill().converged() ? "" : " (not converged)",
                r.afterLoss().spreadPp(), r.afterLoss().converged() ? "" : " (not converged)"),
                r.fill().converged() && r.afterLoss().converged() && r.fill().spreadPp() < SPREAD_TARGET_PP
                        && r.afterLoss().spreadPp() < SPREAD_TARGET_PP);
    }

    private void qualityRow(ConvergenceRun.Result r, String phase, ConvergenceRun.Outcome o) {
        lines.get(Section.QUALITY).add(String.format(Locale.ROOT,
                "| %,d | %,d | %s | %s | %d | %,d | %,d | %.1f | %.1f | %.1f | %.1f | %.1f | %s |",
                r.servers(), r.desiredVms(), phase, o.converged() ? "yes" : "no", o.rounds(), o.actions(), o.vms(),
                o.meanPct(), o.minPct(), o.maxPct(), o.spreadPp(), o.seconds(), o.lastPlan()));
    }

    private void verdict(String target, String measured, boolean met) {
        lines.get(Section.TARGETS).add(String.format(Locale.ROOT, "- %s: **%s** — %s", target, met ? "met" : "MISSED", measured));
    }

    private void print(PrintStream out, int rounds, double seconds) {
        Runtime rt = Runtime.getRuntime();
        out.printf(Locale.ROOT, "# DeskMesh planner report%n%n%s, Java %s (%s), %d cores, max heap %d MiB,"
                        + " load average %.2f at the end%n%n", LocalDate.now(), System.getProperty("java.version"),
                System.getProperty("java.vm.name"), rt.availableProcessors(), rt.maxMemory() >> 20,
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        out.println("Grids: 200 templates (1-4 vCPU, 2-6 GiB, 1 in 4 persistent), 100 VMs per server, 3 sites, servers of"
                + " 3 sizes sized for 65% memory use (steady state) or 60% (convergence); each size measured in a JVM of"
                + " its own. Times are medians after warm-up: thread CPU time, wall time in brackets; targets are judged"
                + " on CPU time, which a busy machine inflates least.");
        out.println();
        section(out, "## Image, planning and replay", "| servers | VMs | users | records | build s | heap MiB | bytes/VM "
                + "| plan steady ms [wall] (actions) | plan 5% missing ms [wall] (actions) | replay µs/record, own entry "
                + "| replay µs/record, in delta | reserve+end µs/record | route µs | reserve apply µs |\n"
                + "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|", Section.FIGURES);
        section(out, "## Where a plan's time goes (ms of thread CPU time per stage, median)",
                "| servers | case | projection | image placement | VM allocation | VM lifecycle |\n"
                        + "|---:|---|---:|---:|---:|---:|", Section.STAGES);
        section(out, "## Placement quality from an empty grid (desired VMs fill memory to 60%)\n\n" + String.format(Locale.ROOT,
                "Each phase stops at an empty plan, or after %d rounds or %.0f s (then marked 'no').", rounds, seconds),
                "| servers | desired VMs | phase | converged | rounds | actions | VMs | mean util % | min % | max % "
                        + "| spread pp | s | last plan when not converged |\n"
                        + "|---:|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|", Section.QUALITY);
        section(out, "## Targets", null, Section.TARGETS);
    }

    private void section(PrintStream out, String title, String tableHead, Section section) {
        if (lines.get(section).isEmpty()) {
            return;
        }
        out.println(title);
        out.println();
        if (tableHead != null) {
            out.println(tableHead);
        }
        lines.get(section).forEach(out::println);
        out.println();
    }

    static String ms(double millis) {
        return millis < 10 ? String.format(Locale.ROOT, "%.2f", millis) : String.format(Locale.ROOT, "%,.0f", millis);
    }

    private static String ms(Measure.Time t) {
        return ms(t.cpu()) + " [" + ms(t.wall()) + "]";
    }

    private static String us(Measure.Time t) {
        return String.format(Locale.ROOT, "%.1f [%.1f]", t.cpu(), t.wall());
    }

    private static void progress(String what) {
        System.err.printf(Locale.ROOT, "[%tT] %s%n", System.currentTimeMillis(), what);
    }

    private static int[] ints(String list) {
        return Arrays.stream(list.split(",")).map(String::trim).filter(s -> !s.isEmpty()).mapToInt(Integer::parseInt).toArray();
    }

    private static String join(int[] values) {
        return String.join(",", Arrays.stream(values).mapToObj(Integer::toString).toList());
    }
}
