package io.deskmesh.hypervisor;

import java.nio.file.Path;

/**
 * What a driver does to a base image version when it lands on its host, so that the image
 * works here: the hook the image store calls on every arrival (a whole copy, a difference rebuilt
 * into a file, an admin's upload) and again for every landed version when the node starts.
 * Implementations are thread-safe and idempotent.
 *
 * <p>The disk's bytes are the ones the grid registered (and checked by SHA-256): a customizer
 * never changes them, since the same file is served to other servers. What is specific to this
 * server goes beside it: descriptor files in {@code descriptorDirectory} (the version's own,
 * removed with it) and whatever the hypervisor keeps of its own (a libvirt storage volume).
 *
 * <p>The {@code sim} driver needs nothing ({@link #NONE}); the libvirt driver registers the
 * version as a volume of its storage pool, lets libvirt inspect it, refuses a disk that is not a
 * self-contained qcow2, and bases its VMs on the volume.
 */
public interface BaseImageCustomizer {

    /** Does nothing; VMs are based on the store's own file. */
    BaseImageCustomizer NONE = new BaseImageCustomizer() {
        @Override
        public void customize(String image, int version, Path disk, Path descriptorDirectory) {
        }

        @Override
        public void forget(String image, int version) {
        }

        @Override
        public Path basePath(String image, int version, Path disk) {
            return disk;
        }
    };

    /**
     * Makes a landed, verified version usable on this host; repeating it is harmless.
     *
     * @param disk                the version's disk file in the image store (read only)
     * @param descriptorDirectory an existing directory, private to this version and server, for
     *                            descriptor files; deleted with the version
     * @throws BaseImageRefusedException when this host cannot use the disk; nothing stays registered
     * @throws HostUnavailableException  when the hypervisor did not answer; try again later
     */
    void customize(String image, int version, Path disk, Path descriptorDirectory);

    /** Undoes {@link #customize} before the version's files are deleted; nothing happens if it was never done. */
    void forget(String image, int version);

    /**
     * The file this host's VMs of the version are to be based on, given the store's {@code disk};
     * for a driver that customizes, a path that exists only after {@link #customize}.
     */
    Path basePath(String image, int version, Path disk);
}
