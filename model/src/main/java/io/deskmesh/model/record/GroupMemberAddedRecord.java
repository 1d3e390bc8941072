package io.deskmesh.model.record;

/** A user joined a group. Type id 65. */
public record GroupMemberAddedRecord(String group, String user, long at) implements MeshRecord {
}
