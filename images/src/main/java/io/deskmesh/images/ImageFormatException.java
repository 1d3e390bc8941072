package io.deskmesh.images;

/**
 * An imported disk is not in the format it claims (not qcow2, a qcow2 with a backing file, a raw
 * disk that {@code qemu-img} cannot convert) or {@code qemu-img} is missing. Nothing was stored.
 * Immutable.
 */
public final class ImageFormatException extends ImageException {
    private final boolean toolMissing;

    public ImageFormatException(String message) {
        this(message, null, false);
    }

    public ImageFormatException(String message, Throwable cause) {
        this(message, cause, false);
    }

    /** @param toolMissing true when {@code qemu-img} could not be run: this node's fault, not the disk's */
    public ImageFormatException(String message, Throwable cause, boolean toolMissing) {
        super(message, cause);
        this.toolMissing = toolMissing;
    }

    /** Whether {@code qemu-img} could not be run at all (install qemu-utils on the node). */
    public boolean toolMissing() {
        return toolMissing;
    }
}
