package io.deskmesh.model.record;

/** A persistent VM became one user's own desktop. Type id 48. */
public record VmOwnerAssignedRecord(String vmId, String user, long at) implements MeshRecord {
    public VmOwnerAssignedRecord {
        java.util.Objects.requireNonNull(vmId, "vmId");
    }
}
