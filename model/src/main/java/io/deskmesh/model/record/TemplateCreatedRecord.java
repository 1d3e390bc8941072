package io.deskmesh.model.record;

/** An admin created a template. Type id 20. */
public record TemplateCreatedRecord(TemplateSpec spec, long at) implements MeshRecord {
    public TemplateCreatedRecord {
        java.util.Objects.requireNonNull(spec, "spec");
    }
}
