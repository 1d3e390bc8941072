package io.deskmesh.images;

import io.deskmesh.model.image.ImageRef;

/**
 * A version arrived intact (size and SHA-256 as registered) but this server could not make it
 * usable: its hypervisor refused the disk, or did not answer. The version was not kept.
 * Immutable.
 */
public final class ImageCustomizationException extends ImageException {
    private final ImageRef ref;
    private final boolean hostFault;

    /**
     * @param hostFault true when this server failed (its hypervisor did not answer), so the same
     *                  disk may land later; false when the disk itself cannot be used here
     */
    public ImageCustomizationException(ImageRef ref, String message, Throwable cause, boolean hostFault) {
        super(message, cause);
        this.ref = ref;
        this.hostFault = hostFault;
    }

    /** The version that was not kept. */
    public ImageRef ref() {
        return ref;
    }

    /** Whether this server, not the disk, was at fault. */
    public boolean hostFault() {
        return hostFault;
    }
}
