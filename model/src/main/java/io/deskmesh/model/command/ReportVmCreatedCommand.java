package io.deskmesh.model.command;

/** A host created a VM. Command type id 41. */
public record ReportVmCreatedCommand(String vmId, String mac) implements MeshCommand {
}
