package io.deskmesh.hypervisor.libvirt;

import io.deskmesh.hypervisor.BaseImageCustomizer;
import io.deskmesh.hypervisor.BaseImageRefusedException;
import io.deskmesh.hypervisor.HostUnavailableException;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import java.util.UUID;
import org.libvirt.Connect;
import org.libvirt.Error.ErrorNumber;
import org.libvirt.LibvirtException;
import org.libvirt.StoragePool;
import org.libvirt.StorageVol;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * The libvirt driver's {@link BaseImageCustomizer}: registers each landed base image version as
 * a volume of this node's storage pool and bases the node's VMs on that volume; thread-safe (one
 * customization at a time).
 *
 * <p><b>The pool.</b> A persistent {@code dir} pool named {@code <domain prefix>base} (e.g.
 * {@code dm-node1-base}) over {@code <storage dir>/base}, started and marked autostart. A version
 * is the volume {@code <image>@<version>.qcow2}: a hard link to the store's disk, so it costs no
 * copy, is the very file the grid verified, and stays a regular file in libvirt's eyes. A pool of
 * the same name over another directory (a node of the same name before, with another
 * {@code --data}) is replaced.
 *
 * <p><b>The check.</b> After a refresh libvirt has probed the volume's header itself; the version
 * is refused unless libvirt sees a qcow2 without a backing store. A backing file names a path on
 * whichever machine made the disk: here it would be missing, or worse, any file QEMU may read (a
 * host file, another user's desktop). The disk's bytes are never rewritten (for example with
 * {@code qemu-img rebase}), because the same file is served to other servers against its
 * registered SHA-256.
 *
 * <p><b>The descriptor.</b> libvirt's description of the volume on this server (pool, path,
 * capacity, format) is written to {@code libvirt-volume.xml} in the version's descriptor directory.
 */
public final class LibvirtBaseImages implements BaseImageCustomizer {
    /** The descriptor written beside each landed version. */
    public static final String DESCRIPTOR = "libvirt-volume.xml";

    private final LibvirtConnection libvirt;
    private final String host;
    private final String poolName;
    private final Path directory;

    LibvirtBaseImages(LibvirtConnection libvirt, LibvirtConfig config) {
        this.libvirt = Objects.requireNonNull(libvirt, "libvirt");
        this.host = libvirt.host();
        this.poolName = config.domainPrefix() + "base";
        this.directory = config.storageDir().resolve("base");
    }

    /** The storage pool's name. */
    public String poolName() {
        return poolName;
    }

    /** The storage pool's directory. */
    public Path directory() {
        return directory;
    }

    @Override
    public synchronized void customize(String image, int version, Path disk, Path descriptorDirectory) {
        String volume = volumeName(image, version);
        Path link = directory.resolve(volume);
        linkInto(link, disk, image, version);
        String xml;
        try {
            xml = libvirt.request(null, "register base image " + image + "@" + version + " in storage pool " + poolName,
                    c -> inspect(c, volume));
        } catch (RuntimeException e) {
            unlinkAndRefresh(link);
            throw e;
        }
        String problem = problem(xml);
        if (problem != null) {
            unlinkAndRefresh(link);
            throw new BaseImageRefusedException(image, version, "host '" + host + "' cannot use base image " + image
                    + "@" + version + ": libvirt reads it as " + problem + "; a base image must be a self-contained"
                    + " qcow2: flatten it with 'qemu-img convert -O qcow2 IN OUT' and import that as a new version");
        }
        writeDescriptor(descriptorDirectory.resolve(DESCRIPTOR), xml, image, version);
    }

    @Override
    public synchronized void forget(String image, int version) {
        unlinkAndRefresh(directory.resolve(volumeName(image, version)));
    }

    @Override
    public Path basePath(String image, int version, Path disk) {
        return directory.resolve(volumeName(image, version));
    }

    static String volumeName(String image, int version) {
        return image + "@" + version + ".qcow2";
    }

    // ---- files ---------------------------------------------------------------------------------

    /** Hard-links {@code disk} as {@code link}, replacing whatever else has that name. */
    private void linkInto(Path link, Path disk, String image, int version) {
        try {
            Files.createDirectories(directory);
            if (Files.exists(link) && Files.isSameFile(link, disk)) {
                return;
            }
            Path fresh = directory.resolve(".link-" + UUID.randomUUID());
            Files.createLink(fresh, disk);
            Files.move(fresh, link, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException | NoSuchFileException e) {
            throw new HostUnavailableException(host, "cannot register base image " + image + "@" + version + ": "
                    + e.getMessage() + " changed while it was linked; try again", e);
        } catch (IOException e) {
            throw new HostUnavailableException(host, "cannot hard-link base image " + image + "@" + version + " ("
                    + disk + ") into storage pool directory " + directory + " (" + e + "); the image store and the"
                    + " VM storage directory must be on one file system and writable (keep both under --data)", e);
        }
    }

    private void unlinkAndRefresh(Path link) {
        try {
            Files.deleteIfExists(link);
        } catch (IOException e) {
            throw new HostUnavailableException(host, "cannot remove " + link + " from storage pool directory "
                    + directory + " (" + e + "); check its permissions", e);
        }
        try {
            libvirt.call("refresh storage pool " + poolName, c -> {
                StoragePool pool = pool(c);
                try {
                    pool.refresh(0);
                } finally {
                    pool.free();
                }
                return null;
            });
        } catch (LibvirtException | HostUnavailableException e) {
            // The file is gone; libvirt drops the volume at the next refresh, which every customize does.
        }
    }

    private static void writeDescriptor(Path file, String xml, String image, int version) {
        try {
            Files.writeString(file, xml, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write the libvirt descriptor of base image " + image + "@"
                    + version + " to " + file + ": " + e.getMessage(), e);
        }
    }

    // ---- libvirt -------------------------------------------------------------------------------

    /** Refreshes the pool (starting it, defining it if needed) and returns libvirt's XML of the volume. */
    private String inspect(Connect c, String volume) throws LibvirtException {
        StoragePool pool = pool(c);
        try {
            pool.refresh(0);
            StorageVol vol = pool.storageVolLookupByName(volume);
            try {
                return vol.getXMLDesc(0);
            } finally {
                vol.free();
            }
        } finally {
            pool.free();
        }
    }

    /** The node's pool, active and over {@link #directory}. */
    private StoragePool pool(Connect c) throws LibvirtException {
        StoragePool pool;
        try {
            pool = c.storagePoolLookupByName(poolName);
        } catch (LibvirtException e) {
            if (!LibvirtErrors.has(e, ErrorNumber.VIR_ERR_NO_STORAGE_POOL)) {
                throw e;
            }
            return define(c);
        }
        if (!directory.toString().equals(targetPath(pool.getXMLDesc(0)))) {
            if (pool.isActive() == 1) {
                pool.destroy();
            }
            pool.undefine();
            pool.free();
            return define(c);
        }
        if (pool.isActive() != 1) {
            pool.create(0);
        }
        return pool;
    }

    private StoragePool define(Connect c) throws LibvirtException {
        StoragePool pool = c.storagePoolDefineXML("<pool type='dir'><name>" + poolName + "</name><target><path>"
                + DomainXml.esc(directory.toString()) + "</path></target></pool>", 0);
        pool.create(0);
        pool.setAutostart(1);
        return pool;
    }

    private static String targetPath(String poolXml) {
        Element target = child(DomainXml.parseXml(poolXml), "target");
        Element path = target == null ? null : child(target, "path");
        return path == null ? null : path.getTextContent().strip();
    }

    /** What is wrong with the volume for a base image, or null when it is a qcow2 without a backing store. */
    static String problem(String volumeXml) {
        Element root = DomainXml.parseXml(volumeXml);
        Element target = child(root, "target");
        Element format = target == null ? null : child(target, "format");
        String type = format == null ? "unknown" : format.getAttribute("type");
        if (!"qcow2".equals(type)) {
            return "a " + type + " disk, not qcow2";
        }
        Element backing = child(root, "backingStore");
        Element backingPath = backing == null ? null : child(backing, "path");
        if (backingPath != null && !backingPath.getTextContent().isBlank()) {
            return "a qcow2 overlay on backing file " + backingPath.getTextContent().strip()
                    + " (a path on the machine that made it)";
        }
        return null;
    }

    private static Element child(Element parent, String tag) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && tag.equals(e.getLocalName() != null ? e.getLocalName() : e.getTagName())) {
                return e;
            }
        }
        return null;
    }
}
