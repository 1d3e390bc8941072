package io.deskmesh.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.function.LongSupplier;

/**
 * Plain timing and heap helpers for {@link PlannerReport}: warm up, then take the median of
 * repeated runs, each bounded by a count and a time budget so a slow size cannot stall the report.
 * Every run is timed twice: wall time, and the CPU time of the measuring thread, which stays
 * meaningful on a machine shared with other work (it leaves out time spent waiting for a core, and
 * the collector's own threads). Each timed operation returns a long that is summed into
 * {@link #sink} so the JIT cannot drop it. Not thread-safe.
 */
final class Measure {
    /** Results of timed operations, kept so they are not optimised away. */
    static long sink;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    /** Median CPU time of the measuring thread and median wall time, in the unit the caller asked for. */
    record Time(double cpu, double wall) {
    }

    private static long cpuNanos() {
        return THREADS.getCurrentThreadCpuTime();
    }

    private Measure() {
    }

    /**
     * Median time of one call, in milliseconds.
     *
     * @param op        the operation
     * @param warmRuns  the most warm-up calls
     * @param warmSecs  the longest warm-up
     * @param runs      the most measured calls
     * @param secs      the longest measurement (at least three calls are made)
     */
    static Time medianMillis(LongSupplier op, int warmRuns, double warmSecs, int runs, double secs) {
        warm(op, warmRuns, warmSecs);
        double[] cpu = new double[runs];
        double[] wall = new double[runs];
        long budget = System.nanoTime() + (long) (secs * 1e9);
        int n = 0;
        while (n < runs && (n < 3 || System.nanoTime() < budget)) {
            long c = cpuNanos();
            long w = System.nanoTime();
            sink += op.getAsLong();
            wall[n] = (System.nanoTime() - w) / 1e6;
            cpu[n++] = (cpuNanos() - c) / 1e6;
        }
        return new Time(median(Arrays.copyOf(cpu, n)), median(Arrays.copyOf(wall, n)));
    }

    /**
     * Median time per operation in microseconds, over batches of {@code perBatch} calls of an
     * operation that performs {@code opsPerCall} operations.
     */
    static Time medianMicrosPerOp(LongSupplier call, int opsPerCall, int perBatch, double warmSecs, int batches) {
        warm(call, Integer.MAX_VALUE, warmSecs);
        double[] cpu = new double[batches];
        double[] wall = new double[batches];
        double ops = (double) perBatch * opsPerCall;
        for (int b = 0; b < batches; b++) {
            long c = cpuNanos();
            long w = System.nanoTime();
            for (int i = 0; i < perBatch; i++) {
                sink += call.getAsLong();
            }
            wall[b] = (System.nanoTime() - w) / 1e3 / ops;
            cpu[b] = (cpuNanos() - c) / 1e3 / ops;
        }
        return new Time(median(cpu), median(wall));
    }

    private static void warm(LongSupplier op, int runs, double secs) {
        long until = System.nanoTime() + (long) (secs * 1e9);
        for (int i = 0; i < runs && (i < 2 || System.nanoTime() < until); i++) {
            sink += op.getAsLong();
        }
    }

    static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        int n = v.length;
        return n == 0 ? Double.NaN : n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }

    /**
     * Full collections until the heap settles, so a grid built in a benchmark's setup sits in the
     * old generation: left in the young one, every young collection during the measurement would
     * copy the whole image again (hundreds of MB at 10,000 servers) and be counted in the score.
     */
    static void promote() {
        settledHeapBytes();
    }

    /** Heap in use after the collector has settled: several full collections, until usage stops falling. */
    static long settledHeapBytes() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long last = Long.MAX_VALUE;
        for (int i = 0; i < 8; i++) {
            System.gc();
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            long used = memory.getHeapMemoryUsage().getUsed();
            if (i >= 2 && used >= last - (last >> 10)) {
                return Math.min(used, last);
            }
            last = Math.min(last, used);
        }
        return last;
    }
}
