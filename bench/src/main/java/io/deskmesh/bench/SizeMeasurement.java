package io.deskmesh.bench;

import io.deskmesh.bench.PlannerStages.Pass;
import io.deskmesh.bench.PlannerStages.Stage;
import io.deskmesh.model.command.CommandProcessor;
import io.deskmesh.model.command.MeshCommand;
import io.deskmesh.model.command.ReserveDesktopCommand;
import io.deskmesh.model.image.ClusterDelta;
import io.deskmesh.model.image.ClusterImage;
import io.deskmesh.model.image.VmImage;
import io.deskmesh.model.plan.ConnectionRouter;
import io.deskmesh.model.plan.GridPlanner;
import io.deskmesh.model.record.MeshRecord;
import io.deskmesh.model.record.SessionEndedRecord;
import io.deskmesh.model.record.SessionReservedRecord;
import io.deskmesh.model.record.VmStartedRecord;
import io.deskmesh.model.record.VmStoppedRecord;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.ref.Reference;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * Measures one grid size for {@link PlannerReport}: builds the steady-state grid and measures its
 * retained heap, plan time (steady and after 5% of servers went missing) with a per-stage breakdown,
 * replay per record, routing and reservation per login. Not thread-safe.
 */
final class SizeMeasurement {
    /** Figures for one size; times are {@link Measure.Time}s (thread CPU and wall). */
    record Figures(int servers, int vms, int users, long records, double buildSeconds, long heapBytes,
                   Measure.Time steady, int steadyActions, Measure.Time missing, int missingActions,
                   double[] steadyStagesMs, double[] missingStagesMs, Measure.Time replayEntry, Measure.Time replayDelta,
                   Measure.Time sessionEntry, Measure.Time route, Measure.Time reserve) {
        double bytesPerVm() {
            return (double) heapBytes / vms;
        }
    }

    private SizeMeasurement() {
    }

    static Figures measure(int servers) {
        long before = Measure.settledHeapBytes();
        long start = System.nanoTime();
        SyntheticGrid.Built grid = SyntheticGrid.build(servers, SyntheticGrid.vmsFor(servers));
        double build = (System.nanoTime() - start) / 1e9;
        long heap = Measure.settledHeapBytes() - before;
        ClusterImage image = grid.image();
        ClusterImage degraded = SyntheticGrid.withMissing(image, 0.05);
        boolean big = servers >= 10_000;
        Measure.Time steady = planMillis(image, big);
        Measure.Time missing = planMillis(degraded, big);
        Figures f = new Figures(servers, image.vms().size(), grid.users(), grid.records(), build, heap,
                steady, GridPlanner.plan(image).actions().size(), missing, GridPlanner.plan(degraded).actions().size(),
                stagesMillis(image, big ? 3 : 11), stagesMillis(degraded, big ? 3 : 11),
                replayEntryMicros(grid, false), replayDeltaMicros(grid), replayEntryMicros(grid, true),
                routeMicros(grid), reserveMicros(grid));
        Reference.reachabilityFence(grid);
        return f;
    }

    private static Measure.Time planMillis(ClusterImage image, boolean big) {
        return big ? Measure.medianMillis(() -> GridPlanner.plan(image).actions().size(), 3, 5, 7, 15)
                : Measure.medianMillis(() -> GridPlanner.plan(image).actions().size(), 200, 3, 21, 8);
    }

    /** Median thread CPU time of each stage, timed in the order {@code GridPlanner.plan} runs them on one pass. */
    private static double[] stagesMillis(ClusterImage image, int runs) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Stage[] stages = Stage.values();
        double[][] t = new double[stages.length + 1][runs];
        for (int r = -1; r < runs; r++) {
            long at = threads.getCurrentThreadCpuTime();
            Pass pass = PlannerStages.project(image);
            long now = threads.getCurrentThreadCpuTime();
            double[] times = new double[stages.length + 1];
            times[0] = (now - at) / 1e6;
            for (Stage s : stages) {
                at = now;
                Measure.sink += PlannerStages.run(pass, s);
                now = threads.getCurrentThreadCpuTime();
                times[s.ordinal() + 1] = (now - at) / 1e6;
            }
            for (int k = 0; r >= 0 && k < times.length; k++) {
                t[k][r] = times[k];
            }
        }
        return Arrays.stream(t).mapToDouble(Measure::median).toArray();
    }

    /** A free VM started then stopped (or reserved then released), each record its own log entry. */
    private static Measure.Time replayEntryMicros(SyntheticGrid.Built grid, boolean session) {
        ClusterImage image = grid.image();
        List<MeshRecord>[] pair = pair(grid, session);
        return Measure.medianMicrosPerOp(() -> {
            ClusterImage next = image.replay(image.index() + 1, pair[0]);
            return next.replay(next.index() + 1, pair[1]).index();
        }, 2, 2_000, 1.5, 9);
    }

    /** The same start/stop pair replayed into one open delta: the marginal cost of a record. */
    private static Measure.Time replayDeltaMicros(SyntheticGrid.Built grid) {
        ClusterDelta delta = new ClusterDelta(grid.image());
        List<MeshRecord>[] pair = pair(grid, false);
        return Measure.medianMicrosPerOp(() -> {
            delta.replay(pair[0].get(0));
            delta.replay(pair[1].get(0));
            return 1;
        }, 2, 5_000, 1.5, 9);
    }

    @SuppressWarnings("unchecked")
    private static List<MeshRecord>[] pair(SyntheticGrid.Built grid, boolean session) {
        ClusterImage image = grid.image();
        VmImage vm = image.vms().get(grid.freeStoppedVm()).orElseThrow();
        long at = image.at();
        if (session) {
            return new List[]{
                    List.of(new SessionReservedRecord("s-bench-0", grid.idleUser(), grid.template(), vm.vmId(), vm.server(), at + 1)),
                    List.of(new SessionEndedRecord("s-bench-0", "logged off", at + 2))};
        }
        return new List[]{List.of(new VmStartedRecord(vm.vmId(), at + 1)), List.of(new VmStoppedRecord(vm.vmId(), at + 2))};
    }

    private static Measure.Time routeMicros(SyntheticGrid.Built grid) {
        ClusterImage image = grid.image();
        return Measure.medianMicrosPerOp(() -> ConnectionRouter.route(image, grid.idleUser(), grid.template(), Set.of())
                .candidates().size(), 1, 500, 1.5, 9);
    }

    private static Measure.Time reserveMicros(SyntheticGrid.Built grid) {
        ClusterImage image = grid.image();
        List<MeshCommand> reserve = List.of(new ReserveDesktopCommand(grid.idleUser(), grid.template(), List.of()));
        return Measure.medianMicrosPerOp(() -> CommandProcessor.apply(image, image.index() + 1, image.at() + 1, reserve)
                .records().size(), 1, 500, 1.5, 9);
    }
}
