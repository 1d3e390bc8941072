package io.deskmesh.model.record;

/** A base image version is complete and verified on a server. Type id 32. */
public record ReplicaLandedRecord(String image, int version, String server, long at) implements MeshRecord {
    public ReplicaLandedRecord {
        java.util.Objects.requireNonNull(image, "image");
        java.util.Objects.requireNonNull(server, "server");
    }
}
