package io.deskmesh.model.command;

/** Revokes a grant. Command type id 69. */
public record RevokeGrantCommand(String id) implements MeshCommand {
}
