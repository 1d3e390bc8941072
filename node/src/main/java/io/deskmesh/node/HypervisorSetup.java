package io.deskmesh.node;

import io.deskmesh.hypervisor.HostUnavailableException;
import io.deskmesh.hypervisor.libvirt.HostVirtualization;
import io.deskmesh.hypervisor.libvirt.LibvirtConfig;
import io.deskmesh.hypervisor.libvirt.LibvirtConfig.DomainType;
import io.deskmesh.hypervisor.libvirt.LibvirtDriver;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Set;

/**
 * Creates the libvirt driver a node's configuration asks for and checks, before the node joins a
 * grid, that libvirt answers and that QEMU will be able to open the node's files; every problem
 * becomes one message saying what to do. Stateless and thread-safe.
 */
final class HypervisorSetup {
    static final String LIBVIRT_SETUP = "to set libvirt up on Debian: apt-get install libvirt-daemon-system"
            + " libvirt-daemon-system-sysv qemu-system-x86 qemu-utils, then 'service libvirtd start' (without an init"
            + " system: 'virtlogd -d; libvirtd -d')";

    private HypervisorSetup() {
    }

    /** The libvirt driver for {@code config}, already known to answer. */
    static LibvirtDriver libvirt(NodeConfig config) throws IOException {
        DomainType type = switch (config.domainType()) {
            case "kvm" -> DomainType.KVM;
            case "qemu" -> DomainType.QEMU;
            default -> HostVirtualization.detect();
        };
        if (LibvirtConfig.QEMU_SYSTEM.toString().equals(config.libvirtUri())) {
            openForQemu(config.dataDir());
        }
        LibvirtDriver driver = new LibvirtDriver(LibvirtConfig.builder()
                .uri(config.libvirtUri())
                .storageDir(config.dataDir().resolve("vms"))
                .domainPrefix(domainPrefix(config.name()))
                .domainType(type)
                .build());
        try {
            driver.host();
        } catch (HostUnavailableException e) {
            driver.close();
            throw new IllegalStateException("--driver libvirt: " + e.getMessage() + "; " + LIBVIRT_SETUP, e);
        }
        return driver;
    }

    /**
     * The prefix of this node's libvirt domains. Several nodes may share one libvirtd (a test grid
     * on loopback), and a driver treats every domain with its prefix as its own, so the prefix
     * carries the server's name (hashed when too long for a prefix).
     */
    static String domainPrefix(String serverName) {
        String plain = "dm-" + serverName + "-";
        if (plain.length() <= 32) {
            return plain;
        }
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(serverName.getBytes(StandardCharsets.UTF_8));
            return "dm-" + HexFormat.of().formatHex(hash, 0, 8) + "-";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * libvirtd runs QEMU as its own user (libvirt-qemu on Debian), which must traverse the data
     * directory to reach base images and overlays. The node opens its own directory for traversal
     * (never for listing) and refuses a parent that is closed, naming it.
     */
    static void openForQemu(Path dataDir) throws IOException {
        Path dir = dataDir.toAbsolutePath().normalize();
        Files.createDirectories(dir);
        Set<PosixFilePermission> own = Files.getPosixFilePermissions(dir);
        if (own.add(PosixFilePermission.OTHERS_EXECUTE)) {
            Files.setPosixFilePermissions(dir, own);
        }
        for (Path p = dir.getParent(); p != null; p = p.getParent()) {
            if (!Files.getPosixFilePermissions(p).contains(PosixFilePermission.OTHERS_EXECUTE)) {
                throw new IllegalStateException("--data " + dataDir + ": QEMU (run by libvirtd as its own user) cannot"
                        + " reach base images and disks below " + p + ", which others may not traverse; run"
                        + " 'chmod o+x " + p + "' or pick a --data directory QEMU can reach, e.g. /var/lib/deskmesh");
            }
        }
    }
}
