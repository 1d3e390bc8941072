package io.deskmesh.hypervisor.libvirt;

import io.deskmesh.hypervisor.HostUnavailableException;
import io.deskmesh.hypervisor.InvalidVmSpecException;
import io.deskmesh.hypervisor.VmSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * The files of the libvirt driver's VMs: overlay disks and agent sockets; immutable and
 * thread-safe (callers hold the VM's lock while they change its files).
 *
 * <p>A VM's disk is {@code <dir>/<vmId>.qcow2}, where {@code dir} is the spec's disk directory
 * or the storage directory. Its agent socket is {@code <storage>/agent/<vmId>.sock}.
 */
final class VmDisks {
    /** sun_path holds 108 bytes including the terminating NUL. */
    private static final int MAX_UNIX_SOCKET_PATH = 107;

    private final String host;
    private final LibvirtConfig config;

    VmDisks(String host, LibvirtConfig config) {
        this.host = host;
        this.config = config;
    }

    Path diskPath(VmSpec spec) {
        Path dir = spec.diskDirectory() != null ? spec.diskDirectory().toAbsolutePath().normalize()
                : config.storageDir();
        return dir.resolve(spec.vmId() + ".qcow2");
    }

    /** The agent socket path, created directory and all, or empty (libvirt picks) when too long for a socket. */
    Optional<Path> agentSocketPath(String vmId) {
        Path socket = config.storageDir().resolve("agent").resolve(vmId + ".sock");
        if (socket.toString().getBytes(StandardCharsets.UTF_8).length > MAX_UNIX_SOCKET_PATH) {
            return Optional.empty();
        }
        try {
            Files.createDirectories(socket.getParent());
        } catch (IOException e) {
            throw new HostUnavailableException(host, "cannot create the agent socket directory " + socket.getParent()
                    + " (" + e + "); check the storage directory's permissions", e);
        }
        return Optional.of(socket);
    }

    void requireBaseImage(VmSpec spec) {
        if (!Files.isRegularFile(spec.baseImage())) {
            throw new InvalidVmSpecException(spec.vmId(), "base image " + spec.baseImage() + " of VM '" + spec.vmId()
                    + "' is not a file on host '" + host + "'; fetch the base image to this host first");
        }
    }

    /** Replaces whatever is at {@code disk} with a fresh overlay on the spec's base image. */
    void makeOverlay(VmSpec spec, Path disk) {
        try {
            Files.createDirectories(disk.getParent());
            Files.deleteIfExists(disk);
            config.overlays().create(spec.baseImage(), disk);
        } catch (OverlayMaker.OverlayException e) {
            deleteQuietly(disk);
            throw new InvalidVmSpecException(spec.vmId(), "cannot create the disk of VM '" + spec.vmId()
                    + "' on host '" + host + "': " + e.getMessage());
        } catch (IOException e) {
            throw new HostUnavailableException(host, "cannot prepare disk " + disk + " for VM '" + spec.vmId() + "' ("
                    + e + "); check the directory's permissions and free space", e);
        }
    }

    /** Copies a powered-off VM's overlay: same backing file, same guest contents. */
    void copyOverlay(VmSpec spec, Path source, Path disk) {
        if (!Files.isRegularFile(source)) {
            throw new InvalidVmSpecException(spec.vmId(), "cannot clone into VM '" + spec.vmId() + "': the source disk "
                    + source + " is missing on host '" + host + "'; regenerate the source VM first");
        }
        try {
            Files.createDirectories(disk.getParent());
            Files.copy(source, disk, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            deleteQuietly(disk);
            throw new HostUnavailableException(host, "cannot copy disk " + source + " to " + disk + " for VM '"
                    + spec.vmId() + "' (" + e + "); check the directory's permissions and free space", e);
        }
    }

    void delete(Path file, String vmId) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new HostUnavailableException(host, "cannot remove " + file + " of VM '" + vmId + "' (" + e
                    + "); check the file's permissions, then delete the VM again", e);
        }
    }

    static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // best effort while reporting the original failure; a later define replaces the file
        }
    }

    /** The overlay's size in bytes: what the VM has written beyond its base image, plus qcow2 metadata. */
    static long sizeOf(Path disk) {
        try {
            return Files.size(disk);
        } catch (IOException e) {
            return 0;
        }
    }
}
