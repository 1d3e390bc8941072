package io.deskmesh.model.record;

/** The VM's agent or host reported it broken; it is kept out of brokering. Type id 46. */
public record VmUnhealthyRecord(String vmId, String reason, long at) implements MeshRecord {
    public VmUnhealthyRecord {
        java.util.Objects.requireNonNull(vmId, "vmId");
    }
}
