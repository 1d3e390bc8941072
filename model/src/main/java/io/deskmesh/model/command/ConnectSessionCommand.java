package io.deskmesh.model.command;

/** A session's console attached. Command type id 81. */
public record ConnectSessionCommand(String sessionId) implements MeshCommand {
}
