package io.deskmesh.model.image;

import org.pcollections.TreePMap;

import java.util.Collection;
import java.util.List;
import java.util.Optional;

/** Every server of the grid, by name. Immutable and thread-safe. */
public final class ServersImage {
    public static final ServersImage EMPTY = new ServersImage(TreePMap.empty());

    private final TreePMap<String, ServerImage> servers;

    ServersImage(TreePMap<String, ServerImage> servers) {
        this.servers = servers;
    }

    public Optional<ServerImage> get(String name) {
        return Optional.ofNullable(servers.get(name));
    }

    public boolean contains(String name) {
        return servers.containsKey(name);
    }

    /** All servers, sorted by name. */
    public Collection<ServerImage> all() {
        return servers.values();
    }

    /** Servers that answer (not missing), sorted by name. */
    public List<ServerImage> live() {
        return servers.values().stream().filter(ServerImage::live).toList();
    }

    public int size() {
        return servers.size();
    }

    TreePMap<String, ServerImage> map() {
        return servers;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ServersImage other && servers.equals(other.servers);
    }

    @Override
    public int hashCode() {
        return servers.hashCode();
    }
}
