package io.deskmesh.images;

import io.deskmesh.model.image.ImageRef;
import io.deskmesh.model.image.ImageVersionImage;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * What the store knows about one landed base image version; written beside its disk as
 * {@code manifest.json}. Immutable.
 *
 * @param image         base image name
 * @param version       version, from 1
 * @param sizeBytes     size of {@code disk.qcow2}
 * @param sha256        lowercase hex SHA-256 of {@code disk.qcow2}
 * @param parentVersion the version it was derived from, 0 if none
 * @param template      the template it was imported for, or {@code null}; informational only
 * @param importedAt    when it landed on this node (local clock; differs between nodes)
 */
public record ImageManifest(String image, int version, long sizeBytes, String sha256, int parentVersion,
                            String template, Instant importedAt) {

    public ImageManifest {
        ImageNames.requireImage(image);
        ImageNames.requireVersion(image, version);
        if (sizeBytes < 0) {
            throw new IllegalArgumentException("size of " + image + "@" + version + " is negative: " + sizeBytes);
        }
        sha256 = Sha256.requireHex(sha256);
        if (parentVersion < 0 || parentVersion >= version) {
            throw new IllegalArgumentException("parent version " + parentVersion + " of " + image + "@" + version
                    + " must be 0 (none) or an earlier version");
        }
        if (template != null && template.isBlank()) {
            template = null;
        }
        Objects.requireNonNull(importedAt, "importedAt");
    }

    public ImageRef ref() {
        return new ImageRef(image, version);
    }

    /** The template name, if one was given at import. */
    public Optional<String> templateName() {
        return Optional.ofNullable(template);
    }

    /** True if this is the content the grid registered: same ref, size, checksum and parent. */
    public boolean matches(ImageVersionImage registered) {
        return registered.ref().equals(ref()) && registered.sizeBytes() == sizeBytes
                && registered.sha256().equalsIgnoreCase(sha256) && registered.parentVersion() == parentVersion;
    }

    /** The grid's view of this version, for registering it with an image command. */
    public ImageVersionImage toVersionImage(long registeredAt) {
        return new ImageVersionImage(ref(), sizeBytes, sha256, parentVersion, registeredAt);
    }
}
