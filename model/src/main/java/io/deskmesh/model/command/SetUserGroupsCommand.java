package io.deskmesh.model.command;

/**
 * Replaces the groups a user belongs to, as a difference against the groups it has when the command
 * is applied (so concurrent changes to the same groups' other members are kept). Command type id 66.
 */
public record SetUserGroupsCommand(String user, java.util.List<String> groups) implements MeshCommand {
    public SetUserGroupsCommand {
        groups = groups == null ? java.util.List.of() : java.util.List.copyOf(groups);
    }
}
