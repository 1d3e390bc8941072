package io.deskmesh.model.command;

/** Logs off a session past its idle or disconnect timeout. Command type id 84. */
public record ExpireSessionCommand(String sessionId, String reason) implements MeshCommand {
}
