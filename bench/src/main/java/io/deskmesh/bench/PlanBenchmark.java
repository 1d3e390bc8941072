package io.deskmesh.bench;

import io.deskmesh.model.image.ClusterImage;
import io.deskmesh.model.plan.GridPlanner;
import io.deskmesh.model.plan.Plan;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * A full re-plan ({@link GridPlanner#plan}) of a steady-state grid of 200 templates and 100 VMs per
 * server, which a node runs after every change: {@code steadyState} is the common case (nothing to
 * do), {@code fivePercentMissing} the re-plan right after 5% of the servers were recorded missing
 * (replacement VMs, new image copies, spare VMs elsewhere). Target: under 50 ms at 1,000 servers.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx8g"})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class PlanBenchmark {
    @Param({"10", "100", "1000", "10000"})
    public int servers;

    private ClusterImage steady;
    private ClusterImage degraded;

    @Setup(Level.Trial)
    public void build() {
        steady = SyntheticGrid.build(servers, SyntheticGrid.vmsFor(servers)).image();
        degraded = SyntheticGrid.withMissing(steady, 0.05);
        Measure.promote();
    }

    @Benchmark
    public Plan steadyState() {
        return GridPlanner.plan(steady);
    }

    @Benchmark
    public Plan fivePercentMissing() {
        return GridPlanner.plan(degraded);
    }
}
