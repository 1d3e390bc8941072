package io.deskmesh.images;

import io.deskmesh.model.image.ImageRef;

import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The base images landed on one node, plus partial incoming transfers. Implementations are
 * thread-safe.
 *
 * <p>A version is <em>landed</em> once its disk and manifest are published together; it never
 * changes afterwards, so readers need no locks. Imports and transfers are published atomically:
 * a reader sees either nothing or the whole version.
 *
 * <p>Errors: bad names and versions throw {@link IllegalArgumentException} (see
 * {@link ImageNames}); local I/O failures throw {@link java.io.UncheckedIOException}; the rest are
 * {@link ImageException}s.
 */
public interface ImageStore {

    /** True if the version is landed. */
    boolean has(ImageRef ref);

    /** The landed version's manifest, or empty. */
    Optional<ImageManifest> manifest(ImageRef ref);

    /**
     * The disk file of a landed version, for the hypervisor to base overlays on and for serving.
     * Never a symbolic link and never outside the store.
     *
     * @throws ImageNotFoundException if the version is not landed
     */
    Path diskPath(ImageRef ref);

    /**
     * Copies a file into the store as a new version, computing its SHA-256 while copying.
     *
     * @param parentVersion the version this one was derived from, 0 if none
     * @param template      the template it is for, or {@code null}; informational
     * @throws ImageAlreadyExistsException if the version is already landed
     */
    ImageManifest importFile(Path source, ImageRef ref, int parentVersion, String template);

    /** {@link #importFile(Path, ImageRef, int, String)} with no template. */
    default ImageManifest importFile(Path source, String image, int version, int parentVersion) {
        return importFile(source, new ImageRef(image, version), parentVersion, null);
    }

    /** Like {@link #importFile} from a stream read to its end; the caller closes the stream. */
    ImageManifest importStream(InputStream source, ImageRef ref, int parentVersion, String template);

    /** {@link #importStream(InputStream, ImageRef, int, String)} with no template. */
    default ImageManifest importStream(InputStream source, String image, int version, int parentVersion) {
        return importStream(source, new ImageRef(image, version), parentVersion, null);
    }

    /**
     * Receives a disk uploaded by an admin: reads exactly {@code expectedSize} bytes, checks their
     * SHA-256, checks the format with {@code qemu-img} (a qcow2 must have the qcow2 magic and no
     * backing file; a raw disk is converted to qcow2), and publishes the version. The manifest
     * describes the stored qcow2, whose checksum differs from the upload's when it was converted.
     *
     * @throws ImageIntegrityException     if the body was shorter or longer, or its checksum differs
     * @throws ImageFormatException        if the disk is not in {@code format} or has a backing file
     * @throws ImageAlreadyExistsException if the version is already landed
     */
    ImageManifest importUpload(InputStream source, ImageRef ref, int parentVersion, String template,
                               long expectedSize, String expectedSha256, DiskFormat format);

    /**
     * A block difference ({@link BlockDiff}) of a landed version against an earlier landed version
     * of the same image, computed on first use and kept until either version is deleted; empty if
     * either is not landed here.
     */
    Optional<Path> difference(ImageRef target, int baseVersion);

    /** Removes a landed version; does nothing if it is absent. Partial transfers are not touched. */
    void delete(ImageRef ref);

    /** Every landed version, sorted by ref. */
    List<ImageManifest> list();

    /** Bytes free for new versions on the store's file system. */
    long usableSpace();

    /** Bytes of all files in the store: landed versions plus partial transfers. */
    long bytesUsed();

    /**
     * Opens the partial file of an incoming transfer, resuming one left by an earlier attempt
     * (even before a restart) if it was staged with the same expected size, checksum and parent;
     * otherwise starting empty. Only one transfer of a ref may be open at a time.
     *
     * @throws ImageAlreadyExistsException if the version is already landed
     * @throws IllegalStateException       if a transfer of the same ref is already open
     */
    StagedTransfer stage(ImageRef ref, long expectedSize, String expectedSha256, int parentVersion);

    /** {@link #stage(ImageRef, long, String, int)} for a version without a parent. */
    default StagedTransfer stage(ImageRef ref, long expectedSize, String expectedSha256) {
        return stage(ref, expectedSize, expectedSha256, 0);
    }
}
