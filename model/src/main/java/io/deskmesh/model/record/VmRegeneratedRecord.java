package io.deskmesh.model.record;

/** The VM's disk was reset from a base image version; it is clean and powered off. Type id 44. */
public record VmRegeneratedRecord(String vmId, int imageVersion, long at) implements MeshRecord {
    public VmRegeneratedRecord {
        java.util.Objects.requireNonNull(vmId, "vmId");
    }
}
