package io.deskmesh.model.command;

import io.deskmesh.model.record.Role;

/** Changes an account; null fields keep their value. Command type id 61. */
public record UpdateUserCommand(String name, String passwordHash, Role role, String site) implements MeshCommand {
}
