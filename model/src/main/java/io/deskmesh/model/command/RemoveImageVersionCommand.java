package io.deskmesh.model.command;

/** Removes an image version no template or VM uses, from every server. Command type id 35. */
public record RemoveImageVersionCommand(String image, int version) implements MeshCommand {
}
