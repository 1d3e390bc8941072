package io.deskmesh.hypervisor.libvirt;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;

/**
 * The host's CPU count and memory as libvirt reports them, corrected by the OS's own figures;
 * immutable.
 *
 * <p>libvirt under-reports memory on some hosts (nested or ballooned machines), and a broker that
 * believed it would leave memory idle. So, for a local URI, each figure is the larger of
 * libvirt's and the OS's: {@code /proc/meminfo}'s MemTotal and the processors the JVM sees.
 *
 * @param cpus     cores offered to VMs
 * @param memoryMb memory offered to VMs, MiB
 */
record HostResources(int cpus, long memoryMb) {
    private static final Path MEMINFO = Path.of("/proc/meminfo");

    /** libvirt's figures raised to the OS's where the OS reports more. */
    static HostResources crossChecked(int libvirtCpus, long libvirtMemoryKib, int osCpus, OptionalLong osMemoryKib) {
        long memoryKib = Math.max(libvirtMemoryKib, osMemoryKib.orElse(0));
        return new HostResources(Math.max(libvirtCpus, osCpus), memoryKib / 1024);
    }

    /** The OS's MemTotal in KiB, or empty when /proc/meminfo is absent or unreadable. */
    static OptionalLong osMemoryKib() {
        try {
            return memTotalKib(Files.readAllLines(MEMINFO));
        } catch (IOException | RuntimeException e) {
            return OptionalLong.empty();
        }
    }

    /** Parses the {@code MemTotal:  24684092 kB} line of /proc/meminfo. */
    static OptionalLong memTotalKib(List<String> meminfo) {
        for (String line : meminfo) {
            if (line.startsWith("MemTotal:")) {
                String[] parts = line.substring("MemTotal:".length()).trim().split("\\s+");
                try {
                    return OptionalLong.of(Long.parseLong(parts[0]));
                } catch (NumberFormatException e) {
                    return OptionalLong.empty();
                }
            }
        }
        return OptionalLong.empty();
    }
}
