package io.deskmesh.model.command;

/** Replaces a group's members. Command type id 65. */
public record SetGroupMembersCommand(String name, java.util.List<String> members) implements MeshCommand {
    public SetGroupMembersCommand {
        members = members == null ? java.util.List.of() : java.util.List.copyOf(members);
    }
}
