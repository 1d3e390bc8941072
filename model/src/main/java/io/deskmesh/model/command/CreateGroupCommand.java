package io.deskmesh.model.command;

/** Creates a group with initial members. Command type id 63. */
public record CreateGroupCommand(String name, java.util.List<String> members) implements MeshCommand {
    public CreateGroupCommand {
        members = members == null ? java.util.List.of() : java.util.List.copyOf(members);
    }
}
