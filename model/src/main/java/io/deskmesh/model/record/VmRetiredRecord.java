package io.deskmesh.model.record;

/** The VM was chosen for removal; it is never brokered again and its host deletes it. Type id 47. */
public record VmRetiredRecord(String vmId, String reason, long at) implements MeshRecord {
    public VmRetiredRecord {
        java.util.Objects.requireNonNull(vmId, "vmId");
    }
}
