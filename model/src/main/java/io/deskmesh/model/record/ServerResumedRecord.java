package io.deskmesh.model.record;

/** An admin resumed a drained server. Type id 5. */
public record ServerResumedRecord(String name, long at) implements MeshRecord {
    public ServerResumedRecord {
        java.util.Objects.requireNonNull(name, "name");
    }
}
