package io.deskmesh.hypervisor.libvirt;

import static org.assertj.core.api.Assertions.assertThat;

import io.deskmesh.hypervisor.libvirt.LibvirtConfig.DomainType;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostVirtualizationTest {
    @TempDir
    Path dir;

    @Test
    void kvmNeedsTheDeviceAndHardwareVirtualisationFlags() throws Exception {
        Path kvm = Files.createFile(dir.resolve("kvm"));
        Path vmx = Files.writeString(dir.resolve("vmx"), "processor\t: 0\nflags\t\t: fpu vme vmx sse2\n");
        Path svm = Files.writeString(dir.resolve("svm"), "flags\t\t: fpu svm\n");
        Path none = Files.writeString(dir.resolve("none"), "flags\t\t: fpu vme hypervisor sse2\n");

        assertThat(HostVirtualization.detect(kvm, vmx)).isEqualTo(DomainType.KVM);
        assertThat(HostVirtualization.detect(kvm, svm)).isEqualTo(DomainType.KVM);
        assertThat(HostVirtualization.detect(kvm, none)).isEqualTo(DomainType.QEMU);
        assertThat(HostVirtualization.detect(dir.resolve("absent"), vmx)).isEqualTo(DomainType.QEMU);
        assertThat(HostVirtualization.detect(kvm, dir.resolve("no-cpuinfo"))).isEqualTo(DomainType.QEMU);
    }
}
