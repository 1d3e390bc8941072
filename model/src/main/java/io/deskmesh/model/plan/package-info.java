/**
 * Planners: pure, deterministic functions of a {@link io.deskmesh.model.image.ClusterImage}. The same
 * image gives a byte-identical plan on every node; each node carries out only the actions whose
 * {@code server()} is itself. See this module's README for the pipelines.
 */
package io.deskmesh.model.plan;
