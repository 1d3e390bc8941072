package io.deskmesh.model.record;

/** A node could not reach this server while brokering; it is skipped until it rejoins. Type id 9. */
public record ServerSuspectedRecord(String name, String reportedBy, String reason, long at) implements MeshRecord {
    public ServerSuspectedRecord {
        java.util.Objects.requireNonNull(name, "name");
    }
}
