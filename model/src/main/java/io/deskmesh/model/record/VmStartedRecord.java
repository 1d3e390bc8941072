package io.deskmesh.model.record;

/** The VM is powered on. Type id 42. */
public record VmStartedRecord(String vmId, long at) implements MeshRecord {
    public VmStartedRecord {
        java.util.Objects.requireNonNull(vmId, "vmId");
    }
}
