package io.deskmesh.model.command;

/** A server starts fetching an image version from a source server. Command type id 31. */
public record StartReplicaTransferCommand(String image, int version, String server, String source) implements MeshCommand {
}
