package io.deskmesh.model.record;

/** A base image version was registered (parentVersion 0 when it has none). Type id 30. */
public record ImageVersionRegisteredRecord(String image, int version, long sizeBytes, String sha256, int parentVersion, long at) implements MeshRecord {
    public ImageVersionRegisteredRecord {
        java.util.Objects.requireNonNull(image, "image");
        java.util.Objects.requireNonNull(sha256, "sha256");
    }
}
