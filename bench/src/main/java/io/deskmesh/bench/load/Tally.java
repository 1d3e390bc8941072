package io.deskmesh.bench.load;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * The outcome of one measured phase: the latencies of successful requests, the count of every other
 * answer by reason, and the phase's wall time. Percentiles are nearest-rank over all samples (no
 * histogram buckets: a phase holds at most a few hundred thousand samples). Thread-safe (synchronized).
 */
final class Tally {
    private long[] nanos = new long[1024];
    private int count;
    private final Map<String, Long> failures = new TreeMap<>();
    private long startedAt;
    private long endedAt;

    synchronized void start() {
        startedAt = System.nanoTime();
        endedAt = 0;
    }

    synchronized void end() {
        endedAt = System.nanoTime();
    }

    /** Records one answer: a success's latency, or a failure's reason. */
    synchronized void record(Answer a) {
        if (a.ok()) {
            success(a.nanos());
        } else {
            failure(a.reason());
        }
    }

    synchronized void success(long latencyNanos) {
        if (count == nanos.length) {
            nanos = Arrays.copyOf(nanos, count * 2);
        }
        nanos[count++] = latencyNanos;
    }

    synchronized void failure(String reason) {
        failures.merge(reason, 1L, Long::sum);
    }

    synchronized int successes() {
        return count;
    }

    synchronized long failed() {
        return failures.values().stream().mapToLong(Long::longValue).sum();
    }

    synchronized Map<String, Long> failures() {
        return new TreeMap<>(failures);
    }

    /** Wall time of the phase in seconds (up to now while it runs). */
    synchronized double seconds() {
        return ((endedAt == 0 ? System.nanoTime() : endedAt) - startedAt) / 1e9;
    }

    /** Successes per second of wall time. */
    synchronized double rate() {
        double s = seconds();
        return s <= 0 ? 0 : count / s;
    }

    /** The p-th percentile (0..100) of successful latencies in milliseconds; NaN without samples. */
    synchronized double percentileMillis(double p) {
        if (count == 0) {
            return Double.NaN;
        }
        long[] sorted = Arrays.copyOf(nanos, count);
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(p / 100.0 * count);
        return sorted[Math.max(0, Math.min(count - 1, rank - 1))] / 1e6;
    }

    synchronized double maxMillis() {
        return percentileMillis(100);
    }

    /** "503 NO_DESKTOP: 12, 429 RATE_LIMITED: 3", or "none". */
    synchronized String failureSummary() {
        if (failures.isEmpty()) {
            return "none";
        }
        StringBuilder b = new StringBuilder();
        failures.forEach((k, v) -> b.append(b.isEmpty() ? "" : ", ").append(k).append(": ").append(v));
        return b.toString();
    }
}
