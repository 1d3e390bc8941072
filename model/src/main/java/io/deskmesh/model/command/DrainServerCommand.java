package io.deskmesh.model.command;

/** Stops giving a server anything new; it keeps what it hosts. Command type id 4. */
public record DrainServerCommand(String name) implements MeshCommand {
}
