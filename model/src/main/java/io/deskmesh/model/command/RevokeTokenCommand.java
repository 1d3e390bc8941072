package io.deskmesh.model.command;

/** Revokes an API token by id until it expires. Command type id 91. */
public record RevokeTokenCommand(String tokenId, long expiresAt) implements MeshCommand {
}
