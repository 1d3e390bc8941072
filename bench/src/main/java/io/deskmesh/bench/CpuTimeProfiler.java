package io.deskmesh.bench;

import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

import java.lang.management.ManagementFactory;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A JMH profiler that adds, beside each score, the benchmark JVM's CPU time per operation
 * ({@code ·cpu}, in the benchmark's unit). On a machine shared with other work the score (wall
 * time) grows with the time spent waiting for a core; CPU time does not. It counts every thread of
 * the forked JVM, so it includes the collector and the JIT, and in {@link StageBenchmark} the
 * untimed per-invocation setup too (there it is an upper bound). Enable with
 * {@code -prof io.deskmesh.bench.CpuTimeProfiler}; {@code bench/run.sh} does.
 */
public final class CpuTimeProfiler implements InternalProfiler {
    private final com.sun.management.OperatingSystemMXBean os =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private long start;

    @Override
    public String getDescription() {
        return "CPU time of the benchmark JVM per operation (all threads)";
    }

    @Override
    public void beforeIteration(BenchmarkParams benchmark, IterationParams iteration) {
        start = os.getProcessCpuTime();
    }

    @Override
    @SuppressWarnings("rawtypes") // the interface declares the raw type
    public Collection<? extends Result> afterIteration(BenchmarkParams benchmark, IterationParams iteration,
                                                       IterationResult result) {
        long ops = result.getMetadata().getMeasuredOps();
        if (ops <= 0) {
            return List.of();
        }
        TimeUnit unit = benchmark.getTimeUnit();
        double perOp = (os.getProcessCpuTime() - start) / (double) ops / unit.toNanos(1);
        return List.of(new ScalarResult("·cpu", perOp, label(unit) + "/op", AggregationPolicy.AVG));
    }

    private static String label(TimeUnit unit) {
        return switch (unit) {
            case NANOSECONDS -> "ns";
            case MICROSECONDS -> "us";
            case MILLISECONDS -> "ms";
            case SECONDS -> "s";
            case MINUTES -> "min";
            case HOURS -> "hr";
            case DAYS -> "day";
        };
    }
}
