package io.deskmesh.model.command;

/** Deletes a template with no live sessions, retiring its VMs and revoking its grants. Command type id 22. */
public record DeleteTemplateCommand(String name) implements MeshCommand {
}
