package io.deskmesh.hypervisor.libvirt;

/**
 * How a VM's VNC or SPICE port is chosen; immutable.
 *
 * <p>{@link #autoport()} lets libvirt pick a free port each time the VM starts (the default on
 * a real host). {@link #range} makes the driver give each VM a fixed port from a range when it
 * is defined, for hosts whose firewall or proxy wants known ports, and for libvirt's test
 * hypervisor, which reports no port for autoport consoles because it runs no display server.
 *
 * @param auto  whether libvirt chooses the port
 * @param first lowest port of the range (0 when {@code auto})
 * @param last  highest port of the range (0 when {@code auto})
 */
public record ConsolePorts(boolean auto, int first, int last) {
    public ConsolePorts {
        if (!auto && (first < 1024 || last > 65_535 || first > last)) {
            throw new IllegalArgumentException("console port range " + first + ".." + last
                    + " is not within 1024..65535 with first <= last; pass e.g. 5900..5999");
        }
        if (auto && (first != 0 || last != 0)) {
            throw new IllegalArgumentException("autoport consoles take no range; use ConsolePorts.autoport()");
        }
    }

    /** libvirt picks a free port when the VM starts. */
    public static ConsolePorts autoport() {
        return new ConsolePorts(true, 0, 0);
    }

    /** The driver assigns each VM the lowest port of {@code first..last} no other VM of its own holds. */
    public static ConsolePorts range(int first, int last) {
        return new ConsolePorts(false, first, last);
    }
}
