package io.deskmesh.model.command;

/** A host powered a VM off. Command type id 43. */
public record ReportVmStoppedCommand(String vmId) implements MeshCommand {
}
