package io.deskmesh.model.command;

/** A session's console went away. Command type id 82. */
public record DisconnectSessionCommand(String sessionId) implements MeshCommand {
}
