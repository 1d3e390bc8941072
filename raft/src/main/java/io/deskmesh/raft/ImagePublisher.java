package io.deskmesh.raft;

import io.deskmesh.model.image.ClusterImage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Delivers new cluster images to listeners on one thread of its own, so a slow listener (the
 * reconciler) never blocks the Raft apply thread. Coalescing: while listeners are busy, newer images
 * replace older undelivered ones, and listeners always receive the latest image, in index order,
 * possibly skipping intermediate ones. Thread-safe.
 */
final class ImagePublisher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ImagePublisher.class);

    private final List<Consumer<ClusterImage>> listeners = new CopyOnWriteArrayList<>();
    private final AtomicReference<ClusterImage> pending = new AtomicReference<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final ExecutorService executor;
    private volatile ClusterImage lastDelivered;

    ImagePublisher(String name) {
        this.executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "deskmesh-image-listeners-" + name);
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Adds a listener. It first receives the latest image (the one delivered to the others, or
     * {@code current} when that is newer), then every later one that is still the latest when its
     * turn comes.
     */
    void addListener(Consumer<ClusterImage> listener, ClusterImage current) {
        try {
            executor.execute(() -> {
                listeners.add(listener);
                ClusterImage last = lastDelivered;
                deliver(listener, last == null || current.index() >= last.index() ? current : last);
            });
        } catch (RejectedExecutionException closed) {
            throw new IllegalStateException("the Raft server is closed; it publishes no more images", closed);
        }
    }

    void removeListener(Consumer<ClusterImage> listener) {
        listeners.remove(listener);
    }

    /** Hands the image over for delivery and returns at once. */
    void publish(ClusterImage image) {
        pending.accumulateAndGet(image, (old, img) -> old == null || img.index() >= old.index() ? img : old);
        if (scheduled.compareAndSet(false, true)) {
            try {
                executor.execute(this::drain);
            } catch (RejectedExecutionException closed) {
                scheduled.set(false);
            }
        }
    }

    private void drain() {
        while (true) {
            ClusterImage image = pending.getAndSet(null);
            if (image == null) {
                scheduled.set(false);
                // A publish may have slipped in between getAndSet and set(false); take it over.
                if (pending.get() == null || !scheduled.compareAndSet(false, true)) {
                    return;
                }
                continue;
            }
            ClusterImage previous = lastDelivered;
            if (previous != null && (image == previous || image.index() < previous.index())) {
                continue;
            }
            lastDelivered = image;
            for (Consumer<ClusterImage> listener : listeners) {
                deliver(listener, image);
            }
        }
    }

    private static void deliver(Consumer<ClusterImage> listener, ClusterImage image) {
        try {
            listener.accept(image);
        } catch (RuntimeException e) {
            LOG.error("image listener {} failed on the image at index {}; it will get the next image",
                    listener, image.index(), e);
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
        try {
            executor.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
