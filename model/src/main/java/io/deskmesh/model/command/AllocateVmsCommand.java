package io.deskmesh.model.command;

/** Allocates new VMs of a template to a server, checked against its capacity at apply time. Command type id 40. */
public record AllocateVmsCommand(String template, String server, int count) implements MeshCommand {
}
