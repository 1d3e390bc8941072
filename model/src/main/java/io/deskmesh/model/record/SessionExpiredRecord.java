package io.deskmesh.model.record;

/** The session passed its idle or disconnect timeout and was logged off. Type id 84. */
public record SessionExpiredRecord(String sessionId, String reason, long at) implements MeshRecord {
    public SessionExpiredRecord {
        java.util.Objects.requireNonNull(sessionId, "sessionId");
    }
}
