package io.deskmesh.model.command;

/** A host deleted a VM. Command type id 45. */
public record ReportVmDeletedCommand(String vmId) implements MeshCommand {
}
