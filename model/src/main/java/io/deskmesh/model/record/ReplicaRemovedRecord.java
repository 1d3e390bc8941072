package io.deskmesh.model.record;

/** A server dropped its copy of a base image version. Type id 34. */
public record ReplicaRemovedRecord(String image, int version, String server, long at) implements MeshRecord {
    public ReplicaRemovedRecord {
        java.util.Objects.requireNonNull(image, "image");
        java.util.Objects.requireNonNull(server, "server");
    }
}
