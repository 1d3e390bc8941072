package io.deskmesh.model.record;

/** A server reported a changed capacity (hardware or configuration changed). Type id 3. */
public record ServerCapacityReportedRecord(String name, Capacity capacity, long at) implements MeshRecord {
    public ServerCapacityReportedRecord {
        java.util.Objects.requireNonNull(name, "name");
        java.util.Objects.requireNonNull(capacity, "capacity");
    }
}
