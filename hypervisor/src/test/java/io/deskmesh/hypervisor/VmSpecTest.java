package io.deskmesh.hypervisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class VmSpecTest {
    private static final Path BASE = Path.of("/images/base.qcow2");
    private static final MacAddress MAC = MacAllocator.DESKMESH.preferred("vm-1");

    private static VmSpec spec(String id, int cpus, long memoryMb, MacAddress mac) {
        return new VmSpec(id, "desk", cpus, memoryMb, BASE, null, mac, "default", ConsoleProtocol.SPICE);
    }

    @Test
    void badValuesAreRejectedNamingTheValue() {
        assertThatThrownBy(() -> spec("../etc", 1, 512, MAC))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'../etc'");
        assertThatThrownBy(() -> spec("vm-1", 0, 512, MAC))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0 vCPUs");
        assertThatThrownBy(() -> spec("vm-1", 1, -5, MAC))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-5 MiB");
        assertThatThrownBy(() -> spec("vm-1", 1, 512, MacAddress.parse("03:00:00:00:00:01")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("03:00:00:00:00:01");
    }

    @Test
    void withResourcesAndCopyAsChangeOnlyWhatTheySay() {
        VmSpec spec = spec("vm-1", 1, 512, MAC);
        VmSpec bigger = spec.withResources(4, 8192);
        assertThat(bigger).isEqualTo(spec("vm-1", 4, 8192, MAC));
        MacAddress other = MacAllocator.DESKMESH.preferred("vm-2");
        VmSpec copy = spec.copyAs("vm-2", "desk 2", other);
        assertThat(copy.vmId()).isEqualTo("vm-2");
        assertThat(copy.mac()).isEqualTo(other);
        assertThat(copy.baseImage()).isEqualTo(BASE);
        assertThat(copy.memoryMb()).isEqualTo(512);
        assertThat(copy.consoleProtocol()).isEqualTo(ConsoleProtocol.SPICE);
    }
}
