package io.deskmesh.hypervisor.libvirt;

import io.deskmesh.hypervisor.HostUnavailableException;
import io.deskmesh.hypervisor.VmNotFoundException;
import io.deskmesh.hypervisor.VmStartFailedException;
import java.nio.file.Path;
import java.time.Duration;
import org.libvirt.Domain;
import org.libvirt.Error.ErrorNumber;
import org.libvirt.LibvirtException;

/**
 * Powers the driver's domains on and off and removes them, turning libvirt's answers into the
 * driver's typed errors; immutable and thread-safe (callers hold the VM's lock).
 */
final class DomainPower {
    private static final Duration SHUTDOWN_POLL = Duration.ofMillis(100);

    private final LibvirtConnection libvirt;
    private final DomainCatalog catalog;
    private final String host;

    DomainPower(LibvirtConnection libvirt, DomainCatalog catalog) {
        this.libvirt = libvirt;
        this.catalog = catalog;
        this.host = libvirt.host();
    }

    /** Starts a defined, powered-off domain. */
    void start(String vmId, Path disk) {
        try {
            libvirt.call("start VM '" + vmId + "'", c -> catalog.withDomain(c, vmId, Domain::create));
        } catch (LibvirtException e) {
            if (LibvirtErrors.isNoDomain(e)) {
                throw new VmNotFoundException(host, vmId);
            }
            throw new VmStartFailedException(vmId, "host '" + host + "' could not start VM '" + vmId + "': "
                    + LibvirtErrors.message(e) + "; it stays off; check its disk " + disk
                    + " and the hypervisor's log", e);
        }
    }

    /**
     * Presses the guest's power button, waits up to {@code wait} for it to go off, then pulls
     * the plug. A zero wait forces at once.
     */
    void shutdown(String vmId, Duration wait) {
        if (!wait.isZero() && pressPowerButton(vmId) && awaitOff(vmId, wait)) {
            return;
        }
        forceOff(vmId);
    }

    /** Pulls the plug; a domain that is already off is fine. */
    void forceOff(String vmId) {
        libvirt.request(vmId, "destroy VM '" + vmId + "'", c -> catalog.withDomain(c, vmId, d -> {
            try {
                if (d.isActive() == 1) {
                    d.destroy();
                }
            } catch (LibvirtException e) {
                if (!LibvirtErrors.isInvalidState(e)) {
                    throw e;
                }
            }
            return null;
        }));
    }

    /** Removes the domain's definition; an absent domain is fine. */
    void undefine(String vmId) {
        libvirt.request(null, "delete VM '" + vmId + "'", c -> {
            try {
                return catalog.withDomain(c, vmId, DomainPower::undefine);
            } catch (LibvirtException e) {
                if (LibvirtErrors.isNoDomain(e)) {
                    return null;
                }
                throw e;
            }
        });
    }

    /** False when libvirt refused the request (no ACPI, say): the caller then forces. */
    private boolean pressPowerButton(String vmId) {
        try {
            libvirt.call("shut down VM '" + vmId + "'", c -> catalog.withDomain(c, vmId, d -> {
                d.shutdown();
                return null;
            }));
            return true;
        } catch (LibvirtException e) {
            if (LibvirtErrors.isNoDomain(e)) {
                throw new VmNotFoundException(host, vmId);
            }
            return false;
        }
    }

    /** Polls, without holding the connection between polls, until the VM is off or {@code wait} has passed. */
    private boolean awaitOff(String vmId, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            boolean on = libvirt.request(vmId, "read the state of VM '" + vmId + "'",
                    c -> catalog.withDomain(c, vmId, d -> DomainStates.of(d).poweredOn()));
            if (!on) {
                return true;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            try {
                Thread.sleep(Math.min(SHUTDOWN_POLL.toMillis(), Math.max(1, left / 1_000_000)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new HostUnavailableException(host, "interrupted while VM '" + vmId + "' shut down", e);
            }
        }
    }

    private static Void undefine(Domain domain) throws LibvirtException {
        try {
            // VIR_DOMAIN_UNDEFINE_MANAGED_SAVE | SNAPSHOTS_METADATA: leftovers would make undefine refuse
            domain.undefine(1 | 2);
        } catch (LibvirtException e) {
            if (!LibvirtErrors.has(e, ErrorNumber.VIR_ERR_NO_SUPPORT)
                    && !LibvirtErrors.has(e, ErrorNumber.VIR_ERR_INVALID_ARG)) {
                throw e;
            }
            domain.undefine();
        }
        return null;
    }
}
