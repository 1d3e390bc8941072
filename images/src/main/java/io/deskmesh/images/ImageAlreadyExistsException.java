package io.deskmesh.images;

import io.deskmesh.model.image.ImageRef;

/** A base image version is already landed; versions are immutable once landed. Immutable. */
public final class ImageAlreadyExistsException extends ImageException {
    private final transient ImageRef ref;

    public ImageAlreadyExistsException(ImageRef ref, String sha256) {
        super("base image " + ref + " is already in the store (sha256 " + sha256
                + "); versions never change once landed: import the new content as a new version, "
                + "or delete " + ref + " first");
        this.ref = ref;
    }

    public ImageRef ref() {
        return ref;
    }
}
