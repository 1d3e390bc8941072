package io.deskmesh.model.command;

/** Ends a drain. Command type id 5. */
public record ResumeServerCommand(String name) implements MeshCommand {
}
