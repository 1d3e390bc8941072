package io.deskmesh.model.command;

/** Creates the grid; accepted once, as the first command of a new log. Command type id 1. */
public record CreateGridCommand(String gridId) implements MeshCommand {
}
