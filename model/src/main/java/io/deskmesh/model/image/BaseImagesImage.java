package io.deskmesh.model.image;

import org.pcollections.TreePMap;

import java.util.Collection;
import java.util.Map;
import java.util.Optional;

/**
 * Registered base image versions and which servers hold (or are fetching) them, indexed both ways.
 * Immutable and thread-safe.
 */
public final class BaseImagesImage {
    public static final BaseImagesImage EMPTY = new BaseImagesImage(TreePMap.empty(), TreePMap.empty(),
            TreePMap.empty(), TreePMap.empty());

    final TreePMap<ImageRef, ImageVersionImage> versions;
    /** image version → server → replica. */
    final TreePMap<ImageRef, TreePMap<String, ReplicaImage>> replicas;
    /** server → image version → replica. */
    final TreePMap<String, TreePMap<ImageRef, ReplicaImage>> byServer;
    /** image version → server → last failed transfer, cleared when a replica lands there. */
    final TreePMap<ImageRef, TreePMap<String, TransferFailure>> failures;

    BaseImagesImage(TreePMap<ImageRef, ImageVersionImage> versions,
                    TreePMap<ImageRef, TreePMap<String, ReplicaImage>> replicas,
                    TreePMap<String, TreePMap<ImageRef, ReplicaImage>> byServer,
                    TreePMap<ImageRef, TreePMap<String, TransferFailure>> failures) {
        this.versions = versions;
        this.replicas = replicas;
        this.byServer = byServer;
        this.failures = failures;
    }

    public Optional<ImageVersionImage> version(ImageRef ref) {
        return Optional.ofNullable(versions.get(ref));
    }

    /** All registered versions, sorted. */
    public Collection<ImageVersionImage> versions() {
        return versions.values();
    }

    /** The newest registered version of an image, if any. */
    public Optional<ImageVersionImage> latest(String image) {
        var tail = versions.subMap(new ImageRef(image, Integer.MIN_VALUE), true, new ImageRef(image, Integer.MAX_VALUE), true);
        return tail.isEmpty() ? Optional.empty() : Optional.of(tail.lastEntry().getValue());
    }

    /** Replicas of one version by server name, landed and in flight. */
    public Map<String, ReplicaImage> replicas(ImageRef ref) {
        return replicas.getOrDefault(ref, TreePMap.empty());
    }

    /** Replicas held by one server, by image version. */
    public Map<ImageRef, ReplicaImage> onServer(String server) {
        return byServer.getOrDefault(server, TreePMap.empty());
    }

    /** Whether a server holds a complete copy of a version. */
    public boolean hasLanded(ImageRef ref, String server) {
        ReplicaImage r = replicas(ref).get(server);
        return r != null && r.landed();
    }

    /** Bytes of base images on (or on their way to) a server. */
    public long bytesOn(String server) {
        long sum = 0;
        for (ImageRef ref : onServer(server).keySet()) {
            ImageVersionImage v = versions.get(ref);
            sum += v == null ? 0 : v.sizeBytes();
        }
        return sum;
    }

    /** Failed transfers of a version, by server. */
    public Map<String, TransferFailure> failures(ImageRef ref) {
        return failures.getOrDefault(ref, TreePMap.empty());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BaseImagesImage b && versions.equals(b.versions) && replicas.equals(b.replicas)
                && failures.equals(b.failures);
    }

    @Override
    public int hashCode() {
        return versions.hashCode() * 31 + replicas.hashCode();
    }
}
