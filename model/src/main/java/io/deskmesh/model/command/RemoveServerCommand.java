package io.deskmesh.model.command;

/** Takes a server out of the grid for good, ending what it hosts. Command type id 9. */
public record RemoveServerCommand(String name) implements MeshCommand {
}
