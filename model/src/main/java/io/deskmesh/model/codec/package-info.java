/**
 * Byte encodings of records, commands and snapshots. Versioned: every encoded value carries the
 * codec version and a stable type id; unknown versions and type ids are refused with an error that
 * says which, never guessed at. Fields may grow: unknown fields of a known type are ignored.
 */
package io.deskmesh.model.codec;
