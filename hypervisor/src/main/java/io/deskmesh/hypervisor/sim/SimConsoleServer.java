package io.deskmesh.hypervisor.sim;

import io.deskmesh.hypervisor.ConsoleProtocol;

/**
 * Serves the consoles of simulated VMs on loopback ports, e.g. a small RFB server drawing a
 * placeholder desktop; implementations must be thread-safe, since one server may be attached
 * to many {@link SimDriver}s in one JVM.
 *
 * <p>A {@link SimDriver} without a console server reports no console at all
 * ({@code console()} is empty) rather than a fake address nobody listens on. The driver calls
 * these methods while holding its own lock, so they must be quick and must not call back into
 * the driver.
 */
public interface SimConsoleServer {

    /**
     * Returns the loopback TCP port serving the console of a powered-on VM, opening it on first
     * use and returning the same port on later calls.
     *
     * @param hostName the sim host the VM runs on
     * @return a port in 1..65535
     */
    int open(String hostName, String vmId, ConsoleProtocol protocol);

    /** Stops serving the VM's console; called when it powers off or disappears. Idempotent. */
    void close(String hostName, String vmId);
}
