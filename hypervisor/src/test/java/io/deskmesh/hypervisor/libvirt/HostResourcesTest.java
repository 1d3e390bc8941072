package io.deskmesh.hypervisor.libvirt;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class HostResourcesTest {

    @Test
    void theOsFiguresWinWhenLibvirtUnderReports() {
        // measured on the CI machine: libvirt says 14248148 KiB, /proc/meminfo 24684092 KiB
        HostResources r = HostResources.crossChecked(2, 14_248_148, 2, OptionalLong.of(24_684_092));
        assertThat(r.memoryMb()).isEqualTo(24_684_092 / 1024);
        assertThat(r.cpus()).isEqualTo(2);
    }

    @Test
    void libvirtsFiguresWinWhenTheyAreLarger() {
        HostResources r = HostResources.crossChecked(16, 8_388_608, 2, OptionalLong.of(4_194_304));
        assertThat(r).isEqualTo(new HostResources(16, 8_192));
    }

    @Test
    void anUnreadableMeminfoLeavesLibvirtsMemory() {
        assertThat(HostResources.crossChecked(4, 2_097_152, 1, OptionalLong.empty()))
                .isEqualTo(new HostResources(4, 2_048));
    }

    @Test
    void memTotalIsParsedFromMeminfo() {
        assertThat(HostResources.memTotalKib(List.of("MemTotal:       24684092 kB", "MemFree:  1 kB")))
                .hasValue(24_684_092);
        assertThat(HostResources.memTotalKib(List.of("MemFree: 1 kB"))).isEmpty();
    }
}
