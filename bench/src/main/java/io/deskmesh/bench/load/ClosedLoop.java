package io.deskmesh.bench.load;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Runs asynchronous tasks with a fixed number in flight (a closed loop of {@code concurrency} virtual
 * clients): each client takes the next task as soon as its previous one completed, without a thread
 * per client. Tasks must complete normally (record their own failures); a task that throws is counted
 * and the client moves on. Thread-safe; one run at a time per instance is the intended use.
 */
final class ClosedLoop {
    private ClosedLoop() {
    }

    /**
     * Runs every task once, at most {@code concurrency} at a time; returns when all completed or the
     * deadline passed (tasks not yet started are then skipped). Returns how many tasks ran.
     */
    static int runAll(List<Supplier<CompletableFuture<?>>> tasks, int concurrency, Duration within) {
        ConcurrentLinkedQueue<Supplier<CompletableFuture<?>>> queue = new ConcurrentLinkedQueue<>(tasks);
        long deadline = System.nanoTime() + within.toNanos();
        return run(() -> System.nanoTime() < deadline ? queue.poll() : null, concurrency, within.plusSeconds(60));
    }

    /**
     * Runs tasks from {@code next} (null: this client is done) at {@code concurrency} until every client
     * is done; waits at most {@code bound}. Returns how many tasks ran.
     */
    static int run(Supplier<Supplier<CompletableFuture<?>>> next, int concurrency, Duration bound) {
        AtomicInteger ran = new AtomicInteger();
        CompletableFuture<?>[] clients = new CompletableFuture<?>[concurrency];
        for (int i = 0; i < concurrency; i++) {
            CompletableFuture<Void> done = new CompletableFuture<>();
            clients[i] = done;
            pull(next, ran, done);
        }
        try {
            CompletableFuture.allOf(clients).get(bound.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("load clients did not finish within " + bound.toSeconds() + " s");
        } catch (Exception e) {
            throw new IllegalStateException("load clients failed: " + e, e);
        }
        return ran.get();
    }

    /** Runs tasks from {@code next} until {@code stop} says so; for background load. Returns at once. */
    static CompletableFuture<Integer> runUntil(BooleanSupplier stop, Supplier<Supplier<CompletableFuture<?>>> next,
                                               int concurrency, Duration bound) {
        CompletableFuture<Integer> done = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                done.complete(run(() -> stop.getAsBoolean() ? null : next.get(), concurrency, bound));
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
            }
        }, "gridload-background");
        t.setDaemon(true);
        t.start();
        return done;
    }

    private static void pull(Supplier<Supplier<CompletableFuture<?>>> next, AtomicInteger ran, CompletableFuture<Void> done) {
        // Iterate rather than recurse when tasks complete synchronously, so the stack stays flat.
        while (true) {
            Supplier<CompletableFuture<?>> task = next.get();
            if (task == null) {
                done.complete(null);
                return;
            }
            ran.incrementAndGet();
            CompletableFuture<?> f;
            try {
                f = task.get();
            } catch (RuntimeException e) {
                continue;
            }
            if (!f.isDone()) {
                f.whenComplete((r, e) -> pull(next, ran, done));
                return;
            }
        }
    }
}
