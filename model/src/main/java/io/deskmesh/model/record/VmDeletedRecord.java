package io.deskmesh.model.record;

/** The VM no longer exists. Type id 45. */
public record VmDeletedRecord(String vmId, long at) implements MeshRecord {
    public VmDeletedRecord {
        java.util.Objects.requireNonNull(vmId, "vmId");
    }
}
