package io.deskmesh.model.record;

/** A login found no free desktop; auto-sized pools learn from it. Type id 85. */
public record DemandUnmetRecord(String template, String user, long at) implements MeshRecord {
    public DemandUnmetRecord {
        java.util.Objects.requireNonNull(template, "template");
    }
}
