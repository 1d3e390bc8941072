package io.deskmesh.model.command;

/**
 * A session's console attached, or its user was active on a connected session: a connected session
 * whose last change is at least a minute old is recorded again, so its {@code since} tells idle-timeout
 * checks when it was last used. Command type id 81.
 */
public record ConnectSessionCommand(String sessionId) implements MeshCommand {
}
