package io.deskmesh.model.image;

/**
 * One server's copy of a base image version, landed or on its way. Immutable.
 *
 * @param ref    which image and version
 * @param server the server holding (or fetching) it
 * @param landed whether it is complete and verified; false while the transfer is in flight
 * @param source the server it is fetched from while in flight, empty when landed or registered here
 * @param since  log time of the last change
 */
public record ReplicaImage(ImageRef ref, String server, boolean landed, String source, long since) {
}
