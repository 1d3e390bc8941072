package io.deskmesh.images;

import io.deskmesh.model.image.ImageRef;

/** A base image version is not landed in the store. Immutable. */
public final class ImageNotFoundException extends ImageException {
    private final transient ImageRef ref;

    public ImageNotFoundException(ImageRef ref, String where) {
        super("base image " + ref + " is not in the image store at " + where
                + "; fetch it from a peer that holds it or import it");
        this.ref = ref;
    }

    public ImageRef ref() {
        return ref;
    }
}
