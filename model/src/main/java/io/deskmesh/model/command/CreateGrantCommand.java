package io.deskmesh.model.command;

/** Lets a user or a group (exactly one) use a template. Command type id 68. */
public record CreateGrantCommand(String template, String user, String group) implements MeshCommand {
}
