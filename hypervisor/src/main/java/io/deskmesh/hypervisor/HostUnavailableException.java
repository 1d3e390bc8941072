package io.deskmesh.hypervisor;

/**
 * The hypervisor did not answer, is down, or the driver is closed; immutable and
 * thread-safe. Callers treat the host as suspect rather than the VM as broken.
 */
public final class HostUnavailableException extends DriverException {
    private final String host;

    public HostUnavailableException(String host, String message) {
        super(message);
        this.host = host;
    }

    public HostUnavailableException(String host, String message, Throwable cause) {
        super(message, cause);
        this.host = host;
    }

    /** The host that did not answer. */
    public String host() {
        return host;
    }
}
