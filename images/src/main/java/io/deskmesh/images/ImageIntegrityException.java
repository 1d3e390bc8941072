package io.deskmesh.images;

import io.deskmesh.model.image.ImageRef;

/**
 * Received bytes do not match the size or SHA-256 the grid registered for a base image version.
 * The partial copy has been deleted by the time this is thrown. Immutable.
 */
public final class ImageIntegrityException extends ImageException {
    private final transient ImageRef ref;
    private final long expectedSize;
    private final long actualSize;
    private final String expectedSha256;
    private final String actualSha256;

    /**
     * @param actualSha256 the checksum of what arrived, or {@code null} if it was not computed
     *                     (too many bytes arrived)
     */
    public ImageIntegrityException(ImageRef ref, long expectedSize, long actualSize,
                                   String expectedSha256, String actualSha256) {
        super("base image " + ref + " failed verification: expected " + expectedSize + " bytes with sha256 "
                + expectedSha256 + ", got " + (actualSha256 == null ? "more than " : "") + actualSize
                + " bytes" + (actualSha256 == null ? "" : " with sha256 " + actualSha256)
                + "; the partial copy was deleted, fetch it again (preferably from another replica)");
        this.ref = ref;
        this.expectedSize = expectedSize;
        this.actualSize = actualSize;
        this.expectedSha256 = expectedSha256;
        this.actualSha256 = actualSha256;
    }

    public ImageRef ref() {
        return ref;
    }

    public long expectedSize() {
        return expectedSize;
    }

    public long actualSize() {
        return actualSize;
    }

    public String expectedSha256() {
        return expectedSha256;
    }

    /** The checksum of what arrived, or {@code null} if more bytes arrived than expected. */
    public String actualSha256() {
        return actualSha256;
    }
}
