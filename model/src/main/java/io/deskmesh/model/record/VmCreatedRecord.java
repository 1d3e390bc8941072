package io.deskmesh.model.record;

/** The host created the VM (disk overlay and definition); it is powered off. Type id 41. */
public record VmCreatedRecord(String vmId, String mac, long at) implements MeshRecord {
    public VmCreatedRecord {
        java.util.Objects.requireNonNull(vmId, "vmId");
    }
}
