package io.deskmesh.model.command;

/** A host reset a VM's disk from an image version. Command type id 44. */
public record ReportVmRegeneratedCommand(String vmId, int imageVersion) implements MeshCommand {
}
