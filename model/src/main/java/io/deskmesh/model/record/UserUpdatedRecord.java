package io.deskmesh.model.record;

/** An account's hash, role or site changed; the values replace the previous ones. Type id 61. */
public record UserUpdatedRecord(String name, String passwordHash, Role role, String site, long at) implements MeshRecord {
    public UserUpdatedRecord {
        java.util.Objects.requireNonNull(name, "name");
        java.util.Objects.requireNonNull(role, "role");
    }
}
