package io.deskmesh.model.record;

/** A server joined the grid with its HTTP address, site and capacity. Type id 2. */
public record ServerJoinedRecord(String name, String site, String address, Capacity capacity, long at) implements MeshRecord {
    public ServerJoinedRecord {
        java.util.Objects.requireNonNull(name, "name");
        java.util.Objects.requireNonNull(capacity, "capacity");
    }
}
