package io.deskmesh.node.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UserHomesTest {
    @TempDir
    Path data;

    @Test
    void aHomeIsOneDirectoryUnderTheUsersRootOnlyItsOwnerMayEnter() throws Exception {
        UserHomes homes = new UserHomes(data.resolve("users"), Optional.empty());
        Path alice = homes.home("alice");
        assertThat(alice).isEqualTo(data.resolve("users").resolve("alice"));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(alice))).isEqualTo("rwx------");
        assertThat(homes.home("alice")).as("made once, found again").isEqualTo(alice);
        assertThat(homes.home("Bob.Smith@corp")).isEqualTo(data.resolve("users").resolve("Bob.Smith@corp"));
    }

    @Test
    void namesThatCouldLeaveTheUsersRootAreRefused() {
        UserHomes homes = new UserHomes(data.resolve("users"), Optional.empty());
        for (String crafted : new String[]{"..", ".", "../alice", "alice/../bob", "a/b", "/etc", "alice%2f..%2fbob",
                "%2e%2e", "alice\u0000", "alice\\bob", "", " alice", "-rf"}) {
            assertThatThrownBy(() -> homes.home(crafted)).as(crafted).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("cannot name a home directory");
        }
        assertThat(data.resolve("users")).doesNotExist();
    }

    @Test
    void aSymbolicLinkPlantedAsAHomeIsRefused() throws Exception {
        Path users = Files.createDirectories(data.resolve("users"));
        Path bob = Files.createDirectories(users.resolve("bob"));
        Files.createSymbolicLink(users.resolve("mallory"), bob);
        UserHomes homes = new UserHomes(users, Optional.empty());
        assertThatThrownBy(() -> homes.home("mallory")).isInstanceOf(IOException.class)
                .hasMessageContaining("not a plain directory");
    }

    @Test
    void homesBelongToTheHypervisorsGuestAccountWhenThereIsOne() throws Exception {
        // 'root' exists everywhere; the node gives homes to libvirtd's QEMU user the same way
        UserHomes homes = new UserHomes(data.resolve("users"), Optional.of("root"));
        assertThat(Files.getOwner(homes.home("carol")).getName()).isEqualTo("root");
    }
}
