package io.deskmesh.model.record;

/** The session ended (log-off, admin, host lost); its VM is released. Type id 83. */
public record SessionEndedRecord(String sessionId, String reason, long at) implements MeshRecord {
    public SessionEndedRecord {
        java.util.Objects.requireNonNull(sessionId, "sessionId");
    }
}
