package io.deskmesh.model.command;

/** Registers a base image version that a server already holds complete. Command type id 30. */
public record RegisterImageVersionCommand(String image, int version, long sizeBytes, String sha256, int parentVersion, String server) implements MeshCommand {
}
