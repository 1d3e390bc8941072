package io.deskmesh.model.record;

/** An admin changed a template; the spec replaces the previous one whole. Type id 21. */
public record TemplateUpdatedRecord(TemplateSpec spec, long at) implements MeshRecord {
    public TemplateUpdatedRecord {
        java.util.Objects.requireNonNull(spec, "spec");
    }
}
