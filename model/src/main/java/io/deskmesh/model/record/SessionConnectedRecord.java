package io.deskmesh.model.record;

/** The session's console attached. Type id 81. */
public record SessionConnectedRecord(String sessionId, long at) implements MeshRecord {
    public SessionConnectedRecord {
        java.util.Objects.requireNonNull(sessionId, "sessionId");
    }
}
