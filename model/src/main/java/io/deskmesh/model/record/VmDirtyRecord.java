package io.deskmesh.model.record;

/** A non-persistent VM was used by a session that ended; it must be regenerated before reuse. Type id 49. */
public record VmDirtyRecord(String vmId, long at) implements MeshRecord {
    public VmDirtyRecord {
        java.util.Objects.requireNonNull(vmId, "vmId");
    }
}
