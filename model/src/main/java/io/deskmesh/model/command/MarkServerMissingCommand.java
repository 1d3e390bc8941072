package io.deskmesh.model.command;

/** Records a server that stopped answering as missing (sent by the leader's failure detector). Command type id 6. */
public record MarkServerMissingCommand(String name, String reason) implements MeshCommand {
}
