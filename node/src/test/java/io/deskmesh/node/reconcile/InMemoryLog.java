package io.deskmesh.node.reconcile;

import io.deskmesh.model.command.CommandProcessor;
import io.deskmesh.model.command.MeshCommand;
import io.deskmesh.model.command.Reply;
import io.deskmesh.model.image.ClusterImage;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

/**
 * A one-process stand-in for the Raft log in reconciler tests: commands apply in submission order,
 * each as its own entry stamped with wall-clock time, and the latest image is handed to listeners on
 * a separate thread, coalesced, as the real state machine does. Thread-safe.
 */
final class InMemoryLog implements CommandGateway, AutoCloseable {
    private ClusterImage image = ClusterImage.EMPTY;
    private final List<Consumer<ClusterImage>> listeners = new CopyOnWriteArrayList<>();
    private final ExecutorService notifier = Executors.newSingleThreadExecutor();
    private final java.util.concurrent.atomic.AtomicReference<ClusterImage> pending = new java.util.concurrent.atomic.AtomicReference<>();

    @Override
    public synchronized CompletableFuture<Reply> submit(MeshCommand command) {
        CommandProcessor.BatchResult r = CommandProcessor.apply(image, image.index() + 1, System.currentTimeMillis(),
                List.of(command));
        image = r.image();
        // Coalesce like the real state machine's publisher: listeners get the latest image, never a backlog.
        if (pending.getAndSet(image) == null) {
            notifier.execute(() -> {
                ClusterImage latest = pending.getAndSet(null);
                if (latest != null) {
                    listeners.forEach(l -> l.accept(latest));
                }
            });
        }
        return CompletableFuture.completedFuture(r.replies().get(0));
    }

    synchronized ClusterImage image() {
        return image;
    }

    long index() {
        return image().index();
    }

    void listen(Consumer<ClusterImage> listener) {
        listeners.add(listener);
    }

    @Override
    public void close() {
        notifier.shutdownNow();
    }
}
