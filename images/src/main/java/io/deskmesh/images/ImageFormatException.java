package io.deskmesh.images;

/**
 * An imported disk is not in the format it claims (not qcow2, a qcow2 with a backing file, a raw
 * disk that {@code qemu-img} cannot convert) or {@code qemu-img} is missing. Nothing was stored.
 * Immutable.
 */
public final class ImageFormatException extends ImageException {
    public ImageFormatException(String message) {
        super(message);
    }

    public ImageFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
