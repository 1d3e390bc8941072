package io.deskmesh.node.reconcile;

import io.deskmesh.model.image.ImageRef;
import io.deskmesh.model.image.ImageVersionImage;

import java.nio.file.Path;

/**
 * This node's copies of base images, as the reconciler needs them: where a landed copy's disk is,
 * fetching one from a peer, and dropping one. Implementations are thread-safe; {@link #fetch} blocks.
 */
public interface ReplicaStore {
    boolean has(ImageRef ref);

    /** The disk of a landed copy (the base of VM overlays). */
    Path diskPath(ImageRef ref);

    /**
     * Fetches a version from a peer (resuming a partial copy, or as a difference against its parent
     * version when that is held here), verifies size and checksum, and publishes it. Throws with a
     * message fit for a {@code FailReplicaTransfer} reason.
     *
     * @param version the version as the grid registered it (size, checksum, parent)
     */
    void fetch(ImageVersionImage version, String peerAddress) throws Exception;

    /** Deletes the local copy; absent is fine. */
    void delete(ImageRef ref) throws Exception;
}
