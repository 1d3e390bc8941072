package io.deskmesh.model.record;

/** A VM was reserved for a user's new session; checked at apply time so a VM has one session. Type id 80. */
public record SessionReservedRecord(String sessionId, String user, String template, String vmId, String server, long at) implements MeshRecord {
    public SessionReservedRecord {
        java.util.Objects.requireNonNull(user, "user");
        java.util.Objects.requireNonNull(sessionId, "sessionId");
        java.util.Objects.requireNonNull(template, "template");
        java.util.Objects.requireNonNull(vmId, "vmId");
        java.util.Objects.requireNonNull(server, "server");
    }
}
