package io.deskmesh.model.command;

/** A broker could not reach a server; skip it for logins until it rejoins. Command type id 8. */
public record SuspectServerCommand(String name, String reportedBy, String reason) implements MeshCommand {
}
