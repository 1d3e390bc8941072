package io.deskmesh.model.record;

/** An account was deleted; its sessions, memberships and grants were ended before this. Type id 62. */
public record UserDeletedRecord(String name, long at) implements MeshRecord {
    public UserDeletedRecord {
        java.util.Objects.requireNonNull(name, "name");
    }
}
