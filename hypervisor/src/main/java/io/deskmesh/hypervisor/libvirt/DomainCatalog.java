package io.deskmesh.hypervisor.libvirt;

import io.deskmesh.hypervisor.VmPowerState;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.LibvirtException;

/**
 * Finds the DeskMesh VMs among a host's libvirt domains; immutable and thread-safe, but every
 * method must run inside {@link LibvirtConnection#call}.
 *
 * <p>A domain is one of ours only if its name starts with the driver's prefix <em>and</em> it
 * carries DeskMesh metadata whose VM id matches the name. Every other domain on the host is
 * invisible to the driver, so it can neither list nor change a VM it did not create.
 */
final class DomainCatalog {
    /** {@code VIR_DOMAIN_XML_INACTIVE}: the persistent definition, not the running one. */
    static final int XML_INACTIVE = 2;

    /** One of our domains: its definition and its power state when it was read. */
    record Entry(DomainDefinition def, VmPowerState state) {
        String vmId() {
            return def.spec().vmId();
        }
    }

    /** Work on one looked-up domain handle, which the catalog frees afterwards. */
    @FunctionalInterface
    interface DomainCall<T> {
        T apply(Domain domain) throws LibvirtException;
    }

    private final String prefix;

    DomainCatalog(String prefix) {
        this.prefix = prefix;
    }

    String domainName(String vmId) {
        return prefix + vmId;
    }

    /** The VM with this id, or empty if there is no such domain or it is not ours. */
    Optional<Entry> find(Connect connect, String vmId) throws LibvirtException {
        Domain domain;
        try {
            domain = connect.domainLookupByName(domainName(vmId));
        } catch (LibvirtException e) {
            if (LibvirtErrors.isNoDomain(e)) {
                return Optional.empty();
            }
            throw e;
        }
        try {
            return read(domain).filter(entry -> entry.vmId().equals(vmId));
        } catch (LibvirtException e) {
            if (LibvirtErrors.isNoDomain(e)) {
                return Optional.empty();  // undefined by someone else between lookup and read
            }
            throw e;
        } finally {
            free(domain);
        }
    }

    /** Every VM of ours on the host, sorted by id. */
    List<Entry> all(Connect connect) throws LibvirtException {
        List<Entry> out = new ArrayList<>();
        for (Domain domain : connect.listAllDomains(0)) {
            try {
                String name = domain.getName();
                if (name.startsWith(prefix)) {
                    read(domain).filter(e -> name.equals(domainName(e.vmId()))).ifPresent(out::add);
                }
            } catch (LibvirtException e) {
                if (!LibvirtErrors.isNoDomain(e)) {
                    throw e;
                }
                // undefined by someone else while we listed: it is simply not there any more
            } finally {
                free(domain);
            }
        }
        out.sort(Comparator.comparing(Entry::vmId));
        return out;
    }

    /**
     * Runs {@code call} on our domain for {@code vmId}.
     *
     * @throws LibvirtException with {@code VIR_ERR_NO_DOMAIN} when it does not exist
     */
    <T> T withDomain(Connect connect, String vmId, DomainCall<T> call) throws LibvirtException {
        Domain domain = connect.domainLookupByName(domainName(vmId));
        try {
            return call.apply(domain);
        } finally {
            free(domain);
        }
    }

    private static Optional<Entry> read(Domain domain) throws LibvirtException {
        Optional<DomainDefinition> def;
        try {
            def = DomainXml.parse(domain.getXMLDesc(XML_INACTIVE));
        } catch (IllegalArgumentException e) {
            return Optional.empty();  // prefix matches but the metadata is not ours or is damaged: hands off
        }
        if (def.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Entry(def.get(), DomainStates.of(domain)));
    }

    private static void free(Domain domain) {
        try {
            domain.free();
        } catch (LibvirtException | RuntimeException e) {
            // freeing a handle only drops a reference; a failure leaks nothing worth reporting
        }
    }
}
