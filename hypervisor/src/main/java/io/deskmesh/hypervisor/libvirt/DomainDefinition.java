package io.deskmesh.hypervisor.libvirt;

import io.deskmesh.hypervisor.VmSpec;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * One DeskMesh VM as a libvirt domain: its spec plus what the driver decided when it defined it;
 * immutable. {@link DomainXml} writes it as domain XML (the spec itself travels in the domain's
 * {@code <metadata>}) and reads it back, so libvirt is the only store of the driver's state.
 *
 * @param domainName  the libvirt domain name, the driver's prefix plus the VM id
 * @param uuid        the domain's UUID when redefining an existing domain, else empty
 * @param spec        the DeskMesh spec the domain was defined from
 * @param disk        the VM's overlay disk
 * @param agentSocket the host end of the desktop agent's virtio-serial channel, or empty to let
 *                    libvirt choose (used when the path would be too long for a unix socket)
 * @param nicNetwork  the libvirt network the NIC joins, or empty for a VM without a NIC
 * @param consolePort the fixed console port, or empty for libvirt's autoport
 */
public record DomainDefinition(String domainName, Optional<String> uuid, VmSpec spec, Path disk,
                               Optional<Path> agentSocket, Optional<String> nicNetwork,
                               Optional<Integer> consolePort) {
    public DomainDefinition {
        Objects.requireNonNull(domainName, "domainName");
        Objects.requireNonNull(uuid, "uuid");
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(disk, "disk");
        Objects.requireNonNull(agentSocket, "agentSocket");
        Objects.requireNonNull(nicNetwork, "nicNetwork");
        Objects.requireNonNull(consolePort, "consolePort");
    }

    /** This definition with another spec (after modify), keeping the domain's identity and devices. */
    public DomainDefinition withSpec(VmSpec newSpec) {
        return new DomainDefinition(domainName, uuid, newSpec, disk, agentSocket, nicNetwork, consolePort);
    }
}
