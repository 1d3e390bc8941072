package io.deskmesh.cli;

import picocli.CommandLine.Option;

/** The hypervisor options {@code deskmesh node} and {@code deskmesh demo} share (a picocli mixin). */
public final class DriverOptions {
    @Option(names = "--driver", description = {"Hypervisor driver: sim (default; simulated hosts) or libvirt (real VMs",
            "through this machine's libvirtd)."})
    String driver;

    @Option(names = "--libvirt-uri", description = "With --driver libvirt: libvirt's URI on this machine (default qemu:///system).")
    String libvirtUri;

    @Option(names = "--domain-type", description = {"With --driver libvirt: kvm, qemu (emulation without /dev/kvm) or auto",
            "(default: kvm when /dev/kvm is usable and the CPU has hardware virtualisation, else qemu)."})
    String domainType;
}
