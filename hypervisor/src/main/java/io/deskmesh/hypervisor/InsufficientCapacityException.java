package io.deskmesh.hypervisor;

/**
 * The host lacks a resource (memory, vCPUs, disk, MAC addresses) for the request; immutable
 * and thread-safe. Carries the numbers so a caller can log them or try another host.
 */
public final class InsufficientCapacityException extends DriverException {
    private final String resource;
    private final long requested;
    private final long available;

    /**
     * @param what      what was being attempted, e.g. {@code "host 'h1' cannot start VM 'v1'"}
     * @param resource  the resource and its unit, e.g. {@code "memory MiB"}
     * @param requested how much the request needs
     * @param available how much is free
     * @param total     how much the host has in all
     * @param remedy    what to do, e.g. {@code "stop another VM or use another host"}
     */
    public InsufficientCapacityException(String what, String resource, long requested, long available,
                                         long total, String remedy) {
        super(what + ": it needs " + requested + " " + resource + " but only " + available + " of "
                + total + " are free; " + remedy);
        this.resource = resource;
        this.requested = requested;
        this.available = available;
    }

    public String resource() {
        return resource;
    }

    public long requested() {
        return requested;
    }

    public long available() {
        return available;
    }
}
