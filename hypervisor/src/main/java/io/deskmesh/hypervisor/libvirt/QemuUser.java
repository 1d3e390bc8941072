package io.deskmesh.hypervisor.libvirt;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The operating-system account libvirtd's {@code qemu:///system} instance runs QEMU as, so that
 * directories only QEMU may enter can be given to it; stateless and thread-safe.
 *
 * <p>It is the {@code user} setting of {@code /etc/libvirt/qemu.conf}; without one, the
 * distribution's default account that exists ({@code libvirt-qemu} on Debian, {@code qemu} on
 * Fedora). A "+UID" setting is returned as written.
 */
public final class QemuUser {
    private static final Pattern USER = Pattern.compile("(?m)^\\s*user\\s*=\\s*\"([^\"]+)\"");

    private QemuUser() {
    }

    /** QEMU's account on this machine, or empty when none can be named (QEMU then runs as root). */
    public static Optional<String> ofSystemInstance() {
        return ofSystemInstance(Path.of("/etc/libvirt/qemu.conf"), Path.of("/etc/passwd"));
    }

    static Optional<String> ofSystemInstance(Path qemuConf, Path passwd) {
        try {
            if (Files.isReadable(qemuConf)) {
                Matcher m = USER.matcher(Files.readString(qemuConf));
                if (m.find()) {
                    return Optional.of(m.group(1));
                }
            }
            List<String> accounts = Files.isReadable(passwd) ? Files.readAllLines(passwd) : List.of();
            for (String candidate : List.of("libvirt-qemu", "qemu")) {
                if (accounts.stream().anyMatch(line -> line.startsWith(candidate + ":"))) {
                    return Optional.of(candidate);
                }
            }
            return Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
