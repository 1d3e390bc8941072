package io.deskmesh.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.Set;

/**
 * What {@code deskmesh login} saves and every other command reads: the node logged in to, the API
 * token, and who it belongs to. Saved as JSON readable by its owner only (0600, in a 0700 directory),
 * written to a temporary file first and moved into place, so a reader never sees half a file and the
 * token is never readable by others, not even for a moment. Immutable.
 *
 * @param node  the node's address, e.g. {@code http://127.0.0.1:8080}
 * @param token the API token
 * @param user  the user it was issued to
 * @param role  that user's role at login, {@code admin} or {@code user}
 */
public record Credentials(String node, String token, String user, String role) {
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> OWNER_DIR = PosixFilePermissions.fromString("rwx------");

    /**
     * The saved login, or empty when there is none.
     *
     * @throws CliFailure when the file cannot be read or is not a login
     */
    public static Optional<Credentials> load(Path file) {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            JsonNode json = Json.MAPPER.readTree(Files.readString(file, StandardCharsets.UTF_8));
            String node = json.path("node").asText("");
            String token = json.path("token").asText("");
            if (node.isEmpty() || token.isEmpty()) {
                throw new CliFailure("credentials file " + file + " has no node or token; run deskmesh login again");
            }
            return Optional.of(new Credentials(node, token, json.path("user").asText(""), json.path("role").asText("")));
        } catch (IOException e) {
            throw new CliFailure("cannot read credentials file " + file + ": " + e.getMessage()
                    + "; run deskmesh login again");
        }
    }

    /** Whether others than the owner may read or write the file (false where permissions are not POSIX). */
    public static boolean exposed(Path file) {
        try {
            return !OWNER_ONLY.containsAll(Files.getPosixFilePermissions(file));
        } catch (UnsupportedOperationException | IOException e) {
            return false;
        }
    }

    /** Saves this login to {@code file}, replacing any earlier one. */
    public void save(Path file) {
        ObjectNode json = Json.object().put("node", node).put("token", token).put("user", user).put("role", role);
        Path dir = file.toAbsolutePath().getParent();
        boolean posix = dir.getFileSystem().supportedFileAttributeViews().contains("posix");
        Path tmp = null;
        try {
            if (!Files.isDirectory(dir)) {
                if (posix) {
                    Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(OWNER_DIR));
                } else {
                    Files.createDirectories(dir);
                }
            }
            tmp = posix ? Files.createTempFile(dir, ".credentials", ".tmp", PosixFilePermissions.asFileAttribute(OWNER_ONLY))
                    : Files.createTempFile(dir, ".credentials", ".tmp");
            Files.writeString(tmp, Json.pretty(json) + System.lineSeparator(), StandardCharsets.UTF_8);
            try {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            tmp = null;
        } catch (IOException e) {
            throw new CliFailure("cannot save credentials to " + file + ": " + e.getMessage()
                    + "; set " + CliEnv.CONFIG + " to a writable directory");
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // best effort: the failure above is what the user needs to see
                }
            }
        }
    }

    /** Removes the saved login; false when there was none. */
    public static boolean delete(Path file) {
        try {
            return Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new CliFailure("cannot remove credentials file " + file + ": " + e.getMessage());
        }
    }

    /** Never prints the token. */
    @Override
    public String toString() {
        return "Credentials[node=" + node + ", user=" + user + ", role=" + role + "]";
    }
}
