package io.deskmesh.node.api.auth;

import io.deskmesh.node.api.ApiException;
import io.deskmesh.node.auth.PasswordHasher;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Runs the deliberately slow password work (Argon2id hashing and verifying) on a few threads with a
 * bounded queue, so a storm of password logins uses at most those threads' share of the CPU and never
 * starves brokering, the HTTP server or Raft heartbeats. When the queue is full the caller is refused
 * at once with 503 'busy' and a {@code Retry-After} rather than queued without bound. Thread-safe.
 */
public final class HashingPool implements AutoCloseable {
    private final PasswordHasher hasher;
    private final ThreadPoolExecutor pool;

    public HashingPool(PasswordHasher hasher, int threads, int queue, String nodeName) {
        this.hasher = hasher;
        AtomicInteger n = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(queue), r -> {
            Thread t = new Thread(r, "deskmesh-password-" + nodeName + "-" + n.incrementAndGet());
            t.setDaemon(true);
            t.setPriority(Thread.MIN_PRIORITY);
            return t;
        }, new ThreadPoolExecutor.AbortPolicy());
    }

    /** Runs password work on the pool; throws a 503 'busy' {@link ApiException} when the queue is full. */
    public <T> CompletableFuture<T> run(Supplier<T> work) {
        try {
            return CompletableFuture.supplyAsync(work, pool);
        } catch (RejectedExecutionException e) {
            throw new ApiException(503, "BUSY", "this node is busy checking passwords; try again in a moment", 1);
        }
    }

    /** Hashes a new password on the pool. */
    public CompletableFuture<String> hash(String password) {
        return run(() -> hasher.hash(password));
    }

    public PasswordHasher hasher() {
        return hasher;
    }

    /** Password tasks waiting for a thread. */
    public int queued() {
        return pool.getQueue().size();
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
