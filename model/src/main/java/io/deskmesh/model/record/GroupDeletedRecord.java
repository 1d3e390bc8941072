package io.deskmesh.model.record;

/** A group was deleted; its grants were revoked before this. Type id 64. */
public record GroupDeletedRecord(String name, long at) implements MeshRecord {
    public GroupDeletedRecord {
        java.util.Objects.requireNonNull(name, "name");
    }
}
