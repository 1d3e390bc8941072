package io.deskmesh.model.record;

/** The VM is powered off. Type id 43. */
public record VmStoppedRecord(String vmId, long at) implements MeshRecord {
    public VmStoppedRecord {
        java.util.Objects.requireNonNull(vmId, "vmId");
    }
}
