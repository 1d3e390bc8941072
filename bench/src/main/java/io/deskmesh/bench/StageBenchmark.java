package io.deskmesh.bench;

import io.deskmesh.bench.PlannerStages.Pass;
import io.deskmesh.bench.PlannerStages.Stage;
import io.deskmesh.model.image.ClusterImage;
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
 * Each stage of {@code GridPlanner.plan} alone on a steady-state grid: building the projection, then
 * image placement, VM allocation and VM lifecycle, each on a pass prepared (untimed, per invocation)
 * exactly as the stages before it leave it. The four add up to about one {@link PlanBenchmark} run.
 * {@link PlannerReport} prints the same breakdown for 10,000 servers as well.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx8g"})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class StageBenchmark {
    /** 10,000 servers is left out by default to keep the suite short (add it with -p servers=10000). */
    @Param({"10", "100", "1000"})
    public int servers;

    private ClusterImage image;

    @Setup(Level.Trial)
    public void build() {
        image = SyntheticGrid.build(servers, SyntheticGrid.vmsFor(servers)).image();
        Measure.promote();
    }

    /** A pass ready for image placement. */
    @State(Scope.Thread)
    public static class BeforePlacement {
        Pass pass;

        @Setup(Level.Invocation)
        public void prepare(StageBenchmark grid) {
            pass = PlannerStages.before(grid.image, Stage.IMAGE_PLACEMENT);
        }
    }

    /** A pass ready for VM allocation. */
    @State(Scope.Thread)
    public static class BeforeAllocation {
        Pass pass;

        @Setup(Level.Invocation)
        public void prepare(StageBenchmark grid) {
            pass = PlannerStages.before(grid.image, Stage.VM_ALLOCATION);
        }
    }

    /** A pass ready for the VM lifecycle stage. */
    @State(Scope.Thread)
    public static class BeforeLifecycle {
        Pass pass;

        @Setup(Level.Invocation)
        public void prepare(StageBenchmark grid) {
            pass = PlannerStages.before(grid.image, Stage.VM_LIFECYCLE);
        }
    }

    @Benchmark
    public Object projection() {
        return PlannerStages.project(image);
    }

    @Benchmark
    public int imagePlacement(BeforePlacement s) {
        return PlannerStages.run(s.pass, Stage.IMAGE_PLACEMENT);
    }

    @Benchmark
    public int vmAllocation(BeforeAllocation s) {
        return PlannerStages.run(s.pass, Stage.VM_ALLOCATION);
    }

    @Benchmark
    public int vmLifecycle(BeforeLifecycle s) {
        return PlannerStages.run(s.pass, Stage.VM_LIFECYCLE);
    }
}
