package io.deskmesh.node.reconcile;

import io.deskmesh.model.image.ImageRef;
import io.deskmesh.model.image.ImageVersionImage;

import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** A replica store whose fetches succeed at once, or fail while {@link #failing} is set. Thread-safe. */
final class FakeReplicaStore implements ReplicaStore {
    final Set<ImageRef> held = ConcurrentHashMap.newKeySet();
    final Set<String> fetchedFrom = ConcurrentHashMap.newKeySet();
    volatile boolean failing;

    @Override
    public boolean has(ImageRef ref) {
        return held.contains(ref);
    }

    @Override
    public Path diskPath(ImageRef ref) {
        return Path.of("/var/lib/deskmesh/images", ref.image(), Integer.toString(ref.version()), "disk.qcow2");
    }

    @Override
    public void fetch(ImageVersionImage version, String peerAddress) throws Exception {
        ImageRef ref = version.ref();
        if (failing) {
            throw new java.io.IOException("peer " + peerAddress + " unreachable");
        }
        fetchedFrom.add(peerAddress);
        held.add(ref);
    }

    @Override
    public void delete(ImageRef ref) {
        held.remove(ref);
    }
}
