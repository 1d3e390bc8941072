package io.deskmesh.hypervisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MacAllocatorTest {
    /** Computed independently (FNV-1a 64 + MurmurHash3 fmix64, low 24 bits) and pinned. */
    private static final String PINNED_VM_1 = "02:de:5c:25:3e:bb";
    private static final String PINNED_UNICODE = "02:de:5c:dc:f3:e9";
    private final MacAllocator allocator = MacAllocator.DESKMESH;

    @Test
    void theSameIdGetsTheSameMacEverywhere() {
        MacAddress once = allocator.allocate("vm-1", Set.of());
        assertThat(new MacAllocator(MacAllocator.DESKMESH_PREFIX).allocate("vm-1", Set.of())).isEqualTo(once);
        assertThat(allocator.preferred("vm-1")).isEqualTo(once);
        assertThat(allocator.allocate("vm-2", Set.of())).isNotEqualTo(once);
    }

    @Test
    void theHashIsPinnedSoReplaysAgreeAcrossReleases() {
        assertThat(allocator.preferred("vm-1")).hasToString(PINNED_VM_1);
        assertThat(allocator.preferred("desktop-ä-42")).hasToString(PINNED_UNICODE);
    }

    @Test
    void addressesAreLocallyAdministeredUnicastUnderTheDeskMeshPrefix() {
        for (int i = 0; i < 1000; i++) {
            MacAddress mac = allocator.preferred("vm-" + i);
            assertThat(mac.octet(0)).isEqualTo(0x02);
            assertThat(mac.octet(1)).isEqualTo(0xde);
            assertThat(mac.octet(2)).isEqualTo(0x5c);
            assertThat(mac.isUnicast()).isTrue();
            assertThat(mac.isLocallyAdministered()).isTrue();
            assertThat(allocator.owns(mac)).isTrue();
        }
        assertThat(allocator.owns(MacAddress.parse("52:54:00:12:34:56"))).isFalse();
    }

    @Test
    void noCollisionsAcross100000IdsWithAGrowingInUseSet() {
        Set<MacAddress> inUse = new HashSet<>();
        int probed = 0;
        for (int i = 0; i < 100_000; i++) {
            String id = "vm-" + i;
            MacAddress mac = allocator.allocate(id, inUse);
            assertThat(inUse.add(mac)).as("MAC %s for %s was already in use", mac, id).isTrue();
            if (!mac.equals(allocator.preferred(id))) {
                probed++;
            }
        }
        assertThat(inUse).hasSize(100_000);
        // about n^2 / 2^25 = 298 preferred addresses collide; proves probing ran, and is rare
        assertThat(probed).isBetween(1, 2_000);
    }

    @Test
    void probingTakesTheNextFreeSuffixAndWraps() {
        MacAddress preferred = allocator.preferred("vm-probe");
        long prefixBits = (long) MacAllocator.DESKMESH_PREFIX << 24;
        long suffix = preferred.value() & 0xffffff;
        MacAddress next = new MacAddress(prefixBits | ((suffix + 1) & 0xffffff));
        assertThat(allocator.allocate("vm-probe", Set.of(preferred))).isEqualTo(next);

        MacAddress wrapped = allocator.allocate("vm-probe", mac -> (mac.value() & 0xffffff) >= suffix);
        assertThat(wrapped).isEqualTo(new MacAddress(prefixBits));
    }

    @Test
    void exhaustionIsInsufficientCapacity() {
        assertThatThrownBy(() -> allocator.allocate("vm-full", mac -> true))
                .isInstanceOf(InsufficientCapacityException.class)
                .hasMessageContaining("vm-full").hasMessageContaining("16777216");
    }

    @Test
    void prefixesThatAreMulticastOrUniversalAreRejected() {
        assertThatThrownBy(() -> new MacAllocator(0x03de5c))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("03de5c");
        assertThatThrownBy(() -> new MacAllocator(0x00163e))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("00163e");
        assertThat(new MacAllocator(0x525400).prefix()).isEqualTo(0x525400);
    }

    @Test
    void macAddressesParseAndPrintInCanonicalForm() {
        MacAddress mac = MacAddress.parse("02:DE:5C:0a:0B:ff");
        assertThat(mac).hasToString("02:de:5c:0a:0b:ff");
        assertThat(MacAddress.parse(mac.toString())).isEqualTo(mac);
        assertThat(MacAddress.parse("01:00:5e:00:00:01").isUnicast()).isFalse();
        assertThatThrownBy(() -> MacAddress.parse("02-de-5c-00-00-01"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("02-de-5c-00-00-01");
        assertThatThrownBy(() -> MacAddress.parse("02:de:5c:00:00:zz"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("octet 6");
        assertThatThrownBy(() -> new MacAddress(1L << 48)).isInstanceOf(IllegalArgumentException.class);
    }
}
