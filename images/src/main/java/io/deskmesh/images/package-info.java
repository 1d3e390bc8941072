/**
 * Base images on one node: the local store ({@link io.deskmesh.images.LocalImageStore}), serving
 * them to peers ({@link io.deskmesh.images.ImageServer}), fetching them from peers with resume and
 * checksums ({@link io.deskmesh.images.ImageFetcher}) and deterministic synthetic images for the
 * sim driver and the demo ({@link io.deskmesh.images.SyntheticImages}).
 *
 * <p>Nothing here reads records or decides what moves where: the planners in {@code model} decide,
 * the reconciler in {@code node} calls this package and reports outcomes as records.
 */
package io.deskmesh.images;
