package io.deskmesh.model.record;

/** An admin deleted a template; its VMs were retired before this. Type id 22. */
public record TemplateDeletedRecord(String name, long at) implements MeshRecord {
    public TemplateDeletedRecord {
        java.util.Objects.requireNonNull(name, "name");
    }
}
