package io.deskmesh.node.api.auth;

import io.deskmesh.model.command.CreateUserCommand;
import io.deskmesh.model.command.MeshCommand;
import io.deskmesh.model.command.RecordAuditCommand;
import io.deskmesh.model.record.Role;
import io.deskmesh.node.auth.PasswordHasher;

import java.security.SecureRandom;
import java.util.List;

/**
 * The first admin of a new grid: without one, nobody could log in to create the others. The node
 * that bootstraps a grid creates {@value #NAME} with the password it was given, or a generated one it
 * prints once. Stateless, thread-safe.
 */
public final class BootstrapAdmin {
    public static final String NAME = "admin";
    private static final String ALPHABET = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    private static final SecureRandom RANDOM = new SecureRandom();

    private BootstrapAdmin() {
    }

    /** The commands (one log entry) that create the admin and record it in the audit trail. */
    public static List<MeshCommand> commands(String nodeName, String password, PasswordHasher hasher) {
        return List.of(new CreateUserCommand(NAME, hasher.hash(password), Role.ADMIN, ""),
                new RecordAuditCommand("system:" + nodeName, "user.create", NAME, "", true, "bootstrap admin of a new grid"));
    }

    /** A random 16-character password without look-alike characters. */
    public static String generatePassword() {
        StringBuilder sb = new StringBuilder(16);
        for (int i = 0; i < 16; i++) {
            sb.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        }
        return sb.toString();
    }
}
