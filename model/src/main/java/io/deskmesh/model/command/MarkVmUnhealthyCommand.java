package io.deskmesh.model.command;

/** A VM's agent or host reported it broken. Command type id 46. */
public record MarkVmUnhealthyCommand(String vmId, String reason) implements MeshCommand {
}
