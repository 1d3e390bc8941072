package io.deskmesh.node;

import io.deskmesh.images.ImageFetcher;
import io.deskmesh.images.ImageStore;
import io.deskmesh.model.image.ImageRef;
import io.deskmesh.model.image.ImageVersionImage;
import io.deskmesh.node.reconcile.ReplicaStore;

import java.net.URI;
import java.nio.file.Path;

/** The reconciler's view of this node's image store and fetcher. Thread-safe. */
final class StoreReplicas implements ReplicaStore {
    private final ImageStore store;
    private final ImageFetcher fetcher;

    StoreReplicas(ImageStore store, ImageFetcher fetcher) {
        this.store = store;
        this.fetcher = fetcher;
    }

    @Override
    public boolean has(ImageRef ref) {
        return store.has(ref);
    }

    @Override
    public Path diskPath(ImageRef ref) {
        return store.has(ref) ? store.diskPath(ref) : Path.of("/nonexistent", ref.image(), Integer.toString(ref.version()));
    }

    @Override
    public void fetch(ImageRef ref, String peerAddress, long sizeBytes, String sha256) {
        fetcher.fetch(URI.create("http://" + peerAddress), new ImageVersionImage(ref, sizeBytes, sha256, 0, 0));
    }

    @Override
    public void delete(ImageRef ref) {
        store.delete(ref);
    }
}
