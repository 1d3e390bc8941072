package io.deskmesh.model.image;

/**
 * A registered base image version. Immutable.
 *
 * @param ref           which image and version
 * @param sizeBytes     size of the disk file
 * @param sha256        hex checksum of the disk file
 * @param parentVersion the version it was derived from (for difference transfers), 0 if none
 * @param registeredAt  log time of registration
 */
public record ImageVersionImage(ImageRef ref, long sizeBytes, String sha256, int parentVersion, long registeredAt) {
}
