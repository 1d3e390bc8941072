package io.deskmesh.model.record;

/** A grant was revoked. Type id 68. */
public record GrantRevokedRecord(String id, long at) implements MeshRecord {
    public GrantRevokedRecord {
        java.util.Objects.requireNonNull(id, "id");
    }
}
