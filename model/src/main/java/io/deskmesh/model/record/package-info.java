/**
 * Records: the replicated facts of a DeskMesh grid. Each is a Java {@code record} in the sealed
 * {@link io.deskmesh.model.record.MeshRecord} hierarchy with a stable type id from
 * {@link io.deskmesh.model.record.RecordType}. Records carry every time they need as data (the log
 * time stamped when they were generated); replay never reads a clock.
 */
package io.deskmesh.model.record;
