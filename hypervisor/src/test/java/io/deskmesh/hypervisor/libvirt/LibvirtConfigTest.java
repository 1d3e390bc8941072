package io.deskmesh.hypervisor.libvirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.deskmesh.hypervisor.libvirt.LibvirtConfig.DomainType;
import io.deskmesh.hypervisor.libvirt.LibvirtConfig.NicMode;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LibvirtConfigTest {

    @Test
    void theDefaultsSuitAQemuSystemHostWithoutKvm() {
        LibvirtConfig config = LibvirtConfig.builder().build();
        assertThat(config.uri()).isEqualTo(LibvirtConfig.QEMU_SYSTEM);
        assertThat(config.domainType()).isEqualTo(DomainType.QEMU);
        assertThat(config.domainPrefix()).isEqualTo("deskmesh-");
        assertThat(config.networks()).isEqualTo(Map.of("default", NicMode.AUTO));
        assertThat(config.consolePorts().auto()).isTrue();
        assertThat(config.maxShutdownGrace()).isEmpty();
        assertThat(config.overlays()).isInstanceOf(QemuImgOverlays.class);
        assertThat(config.isLocal()).isTrue();
    }

    @Test
    void aRemoteUriIsNotCrossCheckedAgainstThisMachine() {
        assertThat(LibvirtConfig.builder().uri("qemu+ssh://kvm-7/system").build().isLocal()).isFalse();
    }

    @Test
    void badSettingsAreRefusedWithTheValue() {
        assertThatThrownBy(() -> LibvirtConfig.builder().domainPrefix("-bad prefix").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-bad prefix");
        assertThatThrownBy(() -> LibvirtConfig.builder().vcpusPerCore(0).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("vcpusPerCore 0");
        assertThatThrownBy(() -> ConsolePorts.range(6000, 5900))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("6000..5900");
    }
}
