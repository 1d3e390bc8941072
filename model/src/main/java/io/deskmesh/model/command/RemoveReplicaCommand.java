package io.deskmesh.model.command;

/** A server drops its copy of an image version no VM there uses. Command type id 34. */
public record RemoveReplicaCommand(String image, int version, String server) implements MeshCommand {
}
