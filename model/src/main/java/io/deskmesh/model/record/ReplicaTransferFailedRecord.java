package io.deskmesh.model.record;

/** A transfer to a server failed; the planner may try again. Type id 33. */
public record ReplicaTransferFailedRecord(String image, int version, String server, String reason, long at) implements MeshRecord {
    public ReplicaTransferFailedRecord {
        java.util.Objects.requireNonNull(image, "image");
        java.util.Objects.requireNonNull(server, "server");
    }
}
