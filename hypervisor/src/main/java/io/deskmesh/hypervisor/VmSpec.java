package io.deskmesh.hypervisor;

import java.nio.file.Path;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Everything a driver needs to define one VM; immutable. Two specs are the same VM definition
 * exactly when they are {@code equals}, which is what makes {@link HypervisorDriver#define}
 * idempotent.
 *
 * @param vmId            grid-unique id; also the hypervisor's domain name and the disk's file
 *                        name, so 1-64 characters of {@code [A-Za-z0-9._-]}, starting with a
 *                        letter or digit
 * @param name            human-readable name shown to admins
 * @param cpus            vCPUs, at least 1
 * @param memoryMb        memory in MiB, at least 1
 * @param baseImage       the base image (qcow2) the VM's copy-on-write disk is layered on
 * @param diskDirectory   where to put the VM's overlay disk (a persistent desktop's owner
 *                        directory), or {@code null} for the driver's own storage area
 * @param mac             the VM's MAC, chosen by the caller, normally with {@link MacAllocator}
 * @param network         the hypervisor network the NIC joins, e.g. {@code "default"}
 * @param consoleProtocol the console the VM exposes
 */
public record VmSpec(String vmId, String name, int cpus, long memoryMb, Path baseImage,
                     Path diskDirectory, MacAddress mac, String network, ConsoleProtocol consoleProtocol) {
    private static final Pattern VM_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    public VmSpec {
        Objects.requireNonNull(vmId, "vmId");
        if (!VM_ID.matcher(vmId).matches()) {
            throw new IllegalArgumentException("VM id '" + vmId + "' is not usable as a domain and file name;"
                    + " use 1-64 characters of letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("VM '" + vmId + "' has a blank name; pass a name admins can read");
        }
        if (cpus < 1) {
            throw new IllegalArgumentException("VM '" + vmId + "' asks for " + cpus + " vCPUs; pass at least 1");
        }
        if (memoryMb < 1) {
            throw new IllegalArgumentException("VM '" + vmId + "' asks for " + memoryMb
                    + " MiB of memory; pass at least 1");
        }
        Objects.requireNonNull(baseImage, "baseImage");
        Objects.requireNonNull(mac, "mac");
        if (!mac.isUnicast()) {
            throw new IllegalArgumentException("VM '" + vmId + "' has multicast MAC " + mac
                    + "; a NIC needs a unicast MAC, allocate one with MacAllocator");
        }
        Objects.requireNonNull(network, "network");
        if (network.isBlank()) {
            throw new IllegalArgumentException("VM '" + vmId + "' has a blank network name; pass the"
                    + " hypervisor network to join, e.g. 'default'");
        }
        Objects.requireNonNull(consoleProtocol, "consoleProtocol");
    }

    /** This spec with other vCPU and memory numbers, as {@link HypervisorDriver#modify} applies them. */
    public VmSpec withResources(int newCpus, long newMemoryMb) {
        return new VmSpec(vmId, name, newCpus, newMemoryMb, baseImage, diskDirectory, mac, network, consoleProtocol);
    }

    /** This spec as the target of a clone: same resources, base image and network; new identity. */
    public VmSpec copyAs(String newVmId, String newName, MacAddress newMac) {
        return new VmSpec(newVmId, newName, cpus, memoryMb, baseImage, diskDirectory, newMac, network,
                consoleProtocol);
    }
}
