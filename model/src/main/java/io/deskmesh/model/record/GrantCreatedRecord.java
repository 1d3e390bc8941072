package io.deskmesh.model.record;

/** A user or a group (exactly one of them is non-null) may use a template. Type id 67. */
public record GrantCreatedRecord(String id, String template, String user, String group, long at) implements MeshRecord {
    public GrantCreatedRecord {
        java.util.Objects.requireNonNull(id, "id");
        java.util.Objects.requireNonNull(template, "template");
    }
}
