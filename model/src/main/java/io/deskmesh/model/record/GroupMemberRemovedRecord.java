package io.deskmesh.model.record;

/** A user left a group. Type id 66. */
public record GroupMemberRemovedRecord(String group, String user, long at) implements MeshRecord {
}
