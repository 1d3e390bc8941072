package io.deskmesh.model.record;

/** A base image version no template or VM uses was removed from the grid. Type id 35. */
public record ImageVersionRemovedRecord(String image, int version, long at) implements MeshRecord {
    public ImageVersionRemovedRecord {
        java.util.Objects.requireNonNull(image, "image");
    }
}
