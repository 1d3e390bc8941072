package io.deskmesh.hypervisor.libvirt;

import static org.assertj.core.api.Assertions.assertThat;

import io.deskmesh.hypervisor.VmPowerState;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DomainStatesTest {

    @ParameterizedTest(name = "state {0} reason {1} -> {2}")
    @CsvSource({
            "0, 0, STARTING",   // no state yet
            "1, 1, RUNNING",    // running, booted
            "2, 0, RUNNING",    // blocked on I/O
            "3, 11, STARTING",  // paused while QEMU starts up
            "3, 1, RUNNING",    // paused by a user: still holds its memory
            "3, 10, CRASHED",   // paused after a guest crash
            "4, 1, RUNNING",    // being shut down
            "5, 1, STOPPED",    // shut off by the guest
            "5, 2, STOPPED",    // destroyed
            "5, 3, CRASHED",    // QEMU died
            "5, 8, CRASHED",    // libvirtd lost it
            "6, 0, CRASHED",    // crashed
            "7, 0, RUNNING",    // PM-suspended
    })
    void libvirtStatesMapToPowerStates(int state, int reason, VmPowerState expected) {
        assertThat(DomainStates.map(state, reason)).isEqualTo(expected);
    }
}
