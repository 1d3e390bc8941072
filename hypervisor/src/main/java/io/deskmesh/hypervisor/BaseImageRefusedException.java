package io.deskmesh.hypervisor;

/**
 * A base image arrived intact but this host's hypervisor cannot use it as it is (not qcow2, or a
 * qcow2 that refers to a backing file on some other machine); immutable and thread-safe. Nothing
 * was registered.
 */
public final class BaseImageRefusedException extends DriverException {
    private final String image;
    private final int version;

    public BaseImageRefusedException(String image, int version, String message) {
        super(message);
        this.image = image;
        this.version = version;
    }

    /** The base image's name. */
    public String image() {
        return image;
    }

    /** The refused version. */
    public int version() {
        return version;
    }
}
