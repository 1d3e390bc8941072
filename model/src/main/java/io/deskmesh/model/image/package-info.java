/**
 * The cluster image: immutable state built by replaying records in log order, identical on every
 * node at the same index. Each domain has an immutable {@code XImage} built on persistent sorted
 * maps (so replaying one record shares everything it does not touch, and iteration order is by id,
 * never by hash) and a mutable {@code XDelta} that replays records onto it.
 * {@link io.deskmesh.model.image.ClusterDelta#replay} is the one switch over every record type.
 */
package io.deskmesh.model.image;
