package io.deskmesh.model.command;

/** Chooses a free VM for removal. Command type id 47. */
public record RetireVmCommand(String vmId, String reason) implements MeshCommand {
}
