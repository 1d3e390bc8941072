package io.deskmesh.model.command;

/** A missing or suspect server reports itself back in service. Command type id 7. */
public record RejoinServerCommand(String name, String address) implements MeshCommand {
}
