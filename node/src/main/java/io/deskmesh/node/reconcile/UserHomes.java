package io.deskmesh.node.reconcile;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The per-user directories of persistent desktops: {@code <data>/users/<user>}, mode 0700, made
 * when a user's desktop is first placed there. Thread-safe.
 *
 * <p><b>Who may enter.</b> A home belongs to the account the hypervisor runs guests as (libvirtd's
 * QEMU user), when there is one, so that QEMU can open the overlay and nothing else but root can;
 * otherwise to the node's own account. No DeskMesh user ever gets a path: the API and consoles
 * name sessions and VMs, never files.
 *
 * <p><b>Names.</b> A user name becomes exactly one path component: it must be a DeskMesh user name
 * (letters, digits, '.', '_', '@', '-', starting with a letter or digit), so {@code ..}, separators,
 * percent-encoded and control characters never reach the file system; and the home must be a real
 * directory directly under the users' root, never a symbolic link (one planted there is refused).
 */
public final class UserHomes {
    private static final Pattern USER = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@-]{0,63}");
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> TRAVERSE = PosixFilePermissions.fromString("rwx--x--x");

    private final Path root;
    private final Optional<String> owner;

    /**
     * @param root  the users' root, {@code <data>/users}
     * @param owner the account homes belong to (the hypervisor's guest user), or empty for the node's own
     */
    public UserHomes(Path root, Optional<String> owner) {
        this.root = root.toAbsolutePath().normalize();
        this.owner = owner;
    }

    /** The user's home, made (0700, owned as configured) if it does not exist yet. */
    public synchronized Path home(String user) throws IOException {
        Path home = resolve(user);
        Files.createDirectories(root);
        Files.setPosixFilePermissions(root, TRAVERSE);
        try {
            Files.createDirectory(home, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        } catch (FileAlreadyExistsException e) {
            // made earlier, or planted: checked below
        }
        if (Files.isSymbolicLink(home) || !Files.isDirectory(home, LinkOption.NOFOLLOW_LINKS)
                || !home.toRealPath().equals(root.toRealPath().resolve(user))) {
            throw new IOException("the home of user '" + user + "' at " + home + " is not a plain directory (a symbolic"
                    + " link or a file?); remove it so the node can create it again");
        }
        Files.setPosixFilePermissions(home, OWNER_ONLY);
        if (owner.isPresent()) {
            UserPrincipal account = home.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(owner.get());
            if (!Files.getOwner(home, LinkOption.NOFOLLOW_LINKS).equals(account)) {
                Files.setOwner(home, account);
            }
        }
        return home;
    }

    /** Where the user's home is (made or not); refuses a name that is not one safe path component. */
    public Path resolve(String user) {
        if (user == null || !USER.matcher(user).matches()) {
            throw new IllegalArgumentException("user name " + (user == null ? "(missing)" : "'" + user + "'")
                    + " cannot name a home directory: use letters, digits, '.', '_', '@' or '-'");
        }
        Path home = root.resolve(user).normalize();
        if (!home.getParent().equals(root)) {
            throw new IllegalArgumentException("user name '" + user + "' does not name a directory directly under " + root);
        }
        return home;
    }
}
