package io.deskmesh.model.command;

/** Deletes an account, ending its sessions and removing its memberships, grants and own desktops. Command type id 62. */
public record DeleteUserCommand(String name) implements MeshCommand {
}
