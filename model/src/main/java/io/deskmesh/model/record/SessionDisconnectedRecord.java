package io.deskmesh.model.record;

/** The session's console went away; the VM stays the user's until the disconnect timeout. Type id 82. */
public record SessionDisconnectedRecord(String sessionId, long at) implements MeshRecord {
    public SessionDisconnectedRecord {
        java.util.Objects.requireNonNull(sessionId, "sessionId");
    }
}
