package io.deskmesh.model.record;

/** An admin drained a server: it keeps what it hosts and is given nothing new. Type id 4. */
public record ServerDrainedRecord(String name, long at) implements MeshRecord {
    public ServerDrainedRecord {
        java.util.Objects.requireNonNull(name, "name");
    }
}
