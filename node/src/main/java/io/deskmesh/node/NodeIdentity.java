package io.deskmesh.node;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;

/**
 * What a node remembers about itself across restarts, in {@code <data>/node.json} (mode 0600,
 * since it holds the grid's join token): its name, the grid it belongs to, the token, and the HTTP
 * addresses ({@code host:port}) of the grid's other servers as its image last listed them, so that
 * on a restart it can ask one of them which Raft role it has. Files written before {@code members}
 * existed load with an empty list; unknown fields are ignored. Immutable.
 */
public record NodeIdentity(String name, String gridId, String token, List<String> members) {
    private static final ObjectMapper JSON = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();
    static final String FILE = "node.json";

    public NodeIdentity {
        members = members == null ? List.of() : List.copyOf(members);
    }

    /** An identity that knows no other member yet. */
    public NodeIdentity(String name, String gridId, String token) {
        this(name, gridId, token, List.of());
    }

    /** The same identity with {@code addresses} as the other members' HTTP addresses. */
    public NodeIdentity withMembers(List<String> addresses) {
        return new NodeIdentity(name, gridId, token, addresses);
    }

    public static Optional<NodeIdentity> load(Path dataDir) throws IOException {
        Path file = dataDir.resolve(FILE);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(JSON.readValue(file.toFile(), NodeIdentity.class));
        } catch (IOException e) {
            throw new IOException("cannot read " + file + ": " + e.getMessage() + "; restore it from a backup or start"
                    + " this node with an empty --data directory to join again", e);
        }
    }

    public void save(Path dataDir) throws IOException {
        Files.createDirectories(dataDir);
        Path tmp = dataDir.resolve(FILE + ".tmp");
        Files.write(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(this));
        try {
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: keep the platform's defaults
        }
        Files.move(tmp, dataDir.resolve(FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Never shows the token. */
    @Override
    public String toString() {
        return "NodeIdentity[name=" + name + ", gridId=" + gridId + ", members=" + members + "]";
    }
}
