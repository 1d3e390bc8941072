package io.deskmesh.model.command;

/** Logs a session off and releases its VM. Command type id 83. */
public record EndSessionCommand(String sessionId, String reason) implements MeshCommand {
}
