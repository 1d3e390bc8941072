package io.deskmesh.model.command;

import io.deskmesh.model.record.Capacity;

/** Adds a server to the grid with its address, site and capacity. Command type id 2. */
public record JoinServerCommand(String name, String site, String address, Capacity capacity) implements MeshCommand {
}
