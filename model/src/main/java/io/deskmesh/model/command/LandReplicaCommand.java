package io.deskmesh.model.command;

/** A server holds an image version complete and verified. Command type id 32. */
public record LandReplicaCommand(String image, int version, String server) implements MeshCommand {
}
