package io.deskmesh.raft;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Futures that complete once this node has applied a given log index. The apply thread only moves
 * the ready futures out; they complete on {@code completer}, so whatever a caller chained onto them
 * never runs on (or blocks) the apply thread. Thread-safe.
 */
final class AppliedWaiters {
    private final NavigableMap<Long, List<CompletableFuture<Long>>> waiting = new TreeMap<>();
    private final Executor completer;
    private long applied = -1;
    private RuntimeException failure;

    AppliedWaiters(Executor completer) {
        this.completer = completer;
    }

    /** Completes with the applied index once it is at least {@code index}. */
    CompletableFuture<Long> await(long index) {
        CompletableFuture<Long> f = new CompletableFuture<>();
        synchronized (this) {
            if (failure != null) {
                f.completeExceptionally(failure);
            } else if (applied >= index) {
                f.complete(applied);
            } else {
                waiting.computeIfAbsent(index, k -> new ArrayList<>(1)).add(f);
            }
        }
        return f;
    }

    synchronized long applied() {
        return applied;
    }

    /** Records that everything up to {@code index} is applied; never moves backwards. */
    void advance(long index) {
        List<CompletableFuture<Long>> ready = new ArrayList<>();
        long now;
        synchronized (this) {
            if (index <= applied) {
                return;
            }
            applied = index;
            now = applied;
            Map<Long, List<CompletableFuture<Long>>> head = waiting.headMap(index, true);
            head.values().forEach(ready::addAll);
            head.clear();
        }
        if (!ready.isEmpty()) {
            run(() -> ready.forEach(f -> f.complete(now)));
        }
    }

    /** Fails every current and future waiter: this node will apply nothing more. */
    void fail(RuntimeException cause) {
        List<CompletableFuture<Long>> all = new ArrayList<>();
        synchronized (this) {
            if (failure == null) {
                failure = cause;
            }
            waiting.values().forEach(all::addAll);
            waiting.clear();
        }
        run(() -> all.forEach(f -> f.completeExceptionally(cause)));
    }

    private void run(Runnable task) {
        try {
            completer.execute(task);
        } catch (RejectedExecutionException shuttingDown) {
            task.run();
        }
    }
}
