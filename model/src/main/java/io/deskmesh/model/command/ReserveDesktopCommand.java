package io.deskmesh.model.command;

/** Reserves a desktop for a user's login, or returns the session the user already has (reconnect). Command type id 80. */
public record ReserveDesktopCommand(String user, String template, java.util.List<String> excludeServers) implements MeshCommand {
    public ReserveDesktopCommand {
        excludeServers = excludeServers == null ? java.util.List.of() : java.util.List.copyOf(excludeServers);
    }
}
