package io.deskmesh.node.api.broker;

/**
 * A host did not make a VM ready for a session. {@code hostAtFault} says whether the host itself is to
 * blame (it did not answer in time, refused, or its hypervisor did not answer), so the broker suspects
 * it and tries another server; otherwise the VM alone failed (it would not start) and was reported
 * unhealthy, so another VM is tried without suspecting the server. Immutable.
 */
public final class PrepareException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The VM or its host is not what the request assumed (409). */
    public static final String NOT_HOSTED = "NOT_HOSTED";
    /** The VM is not in a state a session can use (409). */
    public static final String NOT_READY = "VM_NOT_READY";
    /** The VM would not start; it was reported unhealthy (409). */
    public static final String VM_FAILED = "VM_FAILED";
    /** The host's hypervisor did not answer (503). */
    public static final String HOST_UNAVAILABLE = "HOST_UNAVAILABLE";
    /** No answer within the deadline (504). */
    public static final String TIMEOUT = "TIMEOUT";

    private final String code;
    private final boolean hostAtFault;

    public PrepareException(String code, boolean hostAtFault, String message) {
        super(message, null, false, false);
        this.code = code;
        this.hostAtFault = hostAtFault;
    }

    public String code() {
        return code;
    }

    public boolean hostAtFault() {
        return hostAtFault;
    }

    /** The HTTP status the prepare endpoint answers this with. */
    int status() {
        return switch (code) {
            case HOST_UNAVAILABLE -> 503;
            case TIMEOUT -> 504;
            default -> 409;
        };
    }
}
