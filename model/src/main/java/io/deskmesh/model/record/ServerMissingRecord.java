package io.deskmesh.model.record;

/** A server stopped answering and was recorded missing; its share is re-planned. Type id 6. */
public record ServerMissingRecord(String name, String reason, long at) implements MeshRecord {
    public ServerMissingRecord {
        java.util.Objects.requireNonNull(name, "name");
    }
}
