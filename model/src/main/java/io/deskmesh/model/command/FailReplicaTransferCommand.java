package io.deskmesh.model.command;

/** A server's fetch of an image version failed. Command type id 33. */
public record FailReplicaTransferCommand(String image, int version, String server, String reason) implements MeshCommand {
}
