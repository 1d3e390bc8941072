package io.deskmesh.hypervisor.libvirt;

import io.deskmesh.hypervisor.libvirt.LibvirtConfig.DomainType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * Chooses the libvirt domain type this machine can boot guests with; stateless and thread-safe.
 *
 * <p>{@link DomainType#KVM} needs more than a {@code /dev/kvm} node: some hosts (nested or
 * software-emulated KVM modules) offer one whose guests never get past the firmware. So KVM is
 * chosen only when {@code /dev/kvm} is readable and writable <em>and</em> the CPU advertises
 * hardware virtualisation ({@code vmx} or {@code svm} in {@code /proc/cpuinfo}); otherwise
 * {@link DomainType#QEMU} (TCG), which is slow but boots everywhere.
 */
public final class HostVirtualization {
    private static final Pattern HARDWARE_FLAGS = Pattern.compile("(?m)^flags\\s*:.*\\b(vmx|svm)\\b");

    private HostVirtualization() {
    }

    /** The domain type to use on this machine. */
    public static DomainType detect() {
        return detect(Path.of("/dev/kvm"), Path.of("/proc/cpuinfo"));
    }

    static DomainType detect(Path kvmDevice, Path cpuinfo) {
        if (!Files.isReadable(kvmDevice) || !Files.isWritable(kvmDevice)) {
            return DomainType.QEMU;
        }
        try {
            return HARDWARE_FLAGS.matcher(Files.readString(cpuinfo)).find() ? DomainType.KVM : DomainType.QEMU;
        } catch (IOException e) {
            return DomainType.QEMU;
        }
    }
}
