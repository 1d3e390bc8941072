package io.deskmesh.bench.load;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

/**
 * Bounded polling: every wait of the harness has a limit and, when it runs out, says what it waited
 * for and what it saw last. Stateless, thread-safe.
 */
final class Waits {
    private Waits() {
    }

    /**
     * Polls {@code condition} every {@code every} until it holds; an exception counts as "not yet" (a node
     * may be busy or down). Returns the milliseconds it took; throws {@link IllegalStateException} with
     * {@code state} after {@code timeout}.
     */
    static long until(String what, Duration timeout, Duration every, Callable<Boolean> condition, Supplier<String> state) {
        long t0 = System.nanoTime();
        long deadline = t0 + timeout.toNanos();
        Exception last = null;
        while (true) {
            try {
                if (Boolean.TRUE.equals(condition.call())) {
                    return (System.nanoTime() - t0) / 1_000_000;
                }
            } catch (Exception e) {
                last = e;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out after " + timeout.toSeconds() + " s waiting for " + what
                        + "; now: " + safe(state) + (last == null ? "" : "; last error: " + last));
            }
            sleep(every);
        }
    }

    static long until(String what, Duration timeout, Callable<Boolean> condition, Supplier<String> state) {
        return until(what, timeout, Duration.ofMillis(200), condition, state);
    }

    static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static String safe(Supplier<String> state) {
        try {
            return state.get();
        } catch (RuntimeException e) {
            return "(state unavailable: " + e + ")";
        }
    }
}
