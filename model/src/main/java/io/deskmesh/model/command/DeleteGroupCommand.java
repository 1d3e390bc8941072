package io.deskmesh.model.command;

/** Deletes a group and revokes its grants. Command type id 64. */
public record DeleteGroupCommand(String name) implements MeshCommand {
}
