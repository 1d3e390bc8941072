package io.deskmesh.model.record;

/** The pool planner's allocation of a new VM to a server was accepted; the host creates it. It carries the VM's size so capacity accounting never depends on a template that may change later. Type id 40. */
public record VmAllocatedRecord(String vmId, String template, String server, int imageVersion, int cpus, long memoryMb, long at) implements MeshRecord {
    public VmAllocatedRecord {
        java.util.Objects.requireNonNull(vmId, "vmId");
        java.util.Objects.requireNonNull(template, "template");
        java.util.Objects.requireNonNull(server, "server");
    }
}
