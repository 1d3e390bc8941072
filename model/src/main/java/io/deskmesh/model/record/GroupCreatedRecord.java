package io.deskmesh.model.record;

/** A group was created. Type id 63. */
public record GroupCreatedRecord(String name, long at) implements MeshRecord {
    public GroupCreatedRecord {
        java.util.Objects.requireNonNull(name, "name");
    }
}
