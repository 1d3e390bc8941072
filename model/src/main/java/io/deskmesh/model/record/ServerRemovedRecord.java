package io.deskmesh.model.record;

/** A server left the grid for good; everything it held was recorded gone before this. Type id 8. */
public record ServerRemovedRecord(String name, long at) implements MeshRecord {
    public ServerRemovedRecord {
        java.util.Objects.requireNonNull(name, "name");
    }
}
