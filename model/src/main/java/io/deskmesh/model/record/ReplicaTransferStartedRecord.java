package io.deskmesh.model.record;

/** A server began fetching a base image version from a source server. Type id 31. */
public record ReplicaTransferStartedRecord(String image, int version, String server, String source, long at) implements MeshRecord {
    public ReplicaTransferStartedRecord {
        java.util.Objects.requireNonNull(image, "image");
        java.util.Objects.requireNonNull(server, "server");
    }
}
