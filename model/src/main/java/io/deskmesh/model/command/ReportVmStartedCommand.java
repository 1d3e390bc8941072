package io.deskmesh.model.command;

/** A host powered a VM on. Command type id 42. */
public record ReportVmStartedCommand(String vmId) implements MeshCommand {
}
