package io.deskmesh.model.command;

import io.deskmesh.model.record.Role;

/** Creates an account; the password arrives hashed. Command type id 60. */
public record CreateUserCommand(String name, String passwordHash, Role role, String site) implements MeshCommand {
}
