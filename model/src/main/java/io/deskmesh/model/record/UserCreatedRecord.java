package io.deskmesh.model.record;

/** An account was created; the password arrives already hashed. Type id 60. */
public record UserCreatedRecord(String name, String passwordHash, Role role, String site, long at) implements MeshRecord {
    public UserCreatedRecord {
        java.util.Objects.requireNonNull(name, "name");
        java.util.Objects.requireNonNull(role, "role");
    }
}
