package io.deskmesh.hypervisor.libvirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.deskmesh.hypervisor.HypervisorDriver;
import io.deskmesh.hypervisor.HypervisorDriverContract;
import io.deskmesh.hypervisor.InvalidVmSpecException;
import io.deskmesh.hypervisor.VmPowerState;
import io.deskmesh.hypervisor.VmSpec;
import io.deskmesh.hypervisor.VmStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.LibvirtException;

/**
 * Runs the shared driver contract against libvirt's in-process test hypervisor
 * ({@code test:///default}): the real driver code and the real libvirt API, with fake domains.
 *
 * <p>The test hypervisor has no disk images, so overlays are placeholder files written by a
 * test {@link OverlayMaker}, and it runs no display server, so consoles get fixed ports from a
 * range instead of autoport. Its state is shared by every connection in this JVM, which also
 * lets the tests check that the driver leaves the built-in domain {@code test} alone.
 */
class LibvirtTestDriverContractTest extends HypervisorDriverContract {
    private static final String FOREIGN_DOMAIN = "test";

    @BeforeEach
    void libvirtClientLibraryIsInstalled() {
        LibvirtAvailability.require(LibvirtAvailability.testDriverProblem());
    }

    @Override
    protected HypervisorDriver newDriver(Path workDir) {
        return new LibvirtDriver(config(workDir).build());
    }

    static LibvirtConfig.Builder config(Path workDir) {
        return LibvirtConfig.builder()
                .uri(LibvirtConfig.TEST_DEFAULT)
                .storageDir(workDir.resolve("storage"))
                .consolePorts(ConsolePorts.range(15_900, 15_999))
                .overlays((base, overlay) -> writeOverlay(base, overlay));
    }

    @Override
    protected Path baseImage(Path workDir) {
        try {
            return Files.writeString(workDir.resolve("base.qcow2"), "placeholder base image for test:///default");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void writeOverlay(Path base, Path overlay) throws OverlayMaker.OverlayException {
        try {
            Files.writeString(overlay, "overlay on " + base.toAbsolutePath());
        } catch (IOException e) {
            throw new OverlayMaker.OverlayException("cannot write placeholder overlay " + overlay, e);
        }
    }

    @Test
    void domainsOutsideThePrefixAreNeitherListedNorTouched() throws LibvirtException {
        VmSpec spec = spec("foreign");
        driver.define(spec);
        driver.start(spec.vmId());
        assertThat(driver.list()).extracting(VmStatus::vmId).doesNotContain(FOREIGN_DOMAIN).contains(spec.vmId());
        driver.destroy(spec.vmId());
        driver.delete(spec.vmId());
        Connect connect = new Connect(LibvirtConfig.TEST_DEFAULT.toString());
        try {
            Domain builtIn = connect.domainLookupByName(FOREIGN_DOMAIN);
            assertThat(builtIn.isActive()).as("libvirt's own 'test' domain still runs").isEqualTo(1);
            builtIn.free();
        } finally {
            connect.close();
        }
    }

    @Test
    void aPrefixedDomainWithoutDeskMeshMetadataIsLeftAlone() throws LibvirtException {
        Connect connect = new Connect(LibvirtConfig.TEST_DEFAULT.toString());
        try {
            Domain stranger = connect.domainDefineXML("<domain type='test'><name>deskmesh-ct-stranger</name>"
                    + "<memory>131072</memory><os><type>hvm</type></os></domain>");
            try {
                assertThat(driver.status("ct-stranger")).isEmpty();
                assertThat(driver.list()).extracting(VmStatus::vmId).doesNotContain("ct-stranger");
                driver.delete("ct-stranger");
                VmSpec spec = spec("stranger");
                assertThatThrownBy(() -> driver.define(spec))
                        .isInstanceOf(InvalidVmSpecException.class)
                        .hasMessageContaining("deskmesh-ct-stranger");
                assertThat(connect.domainLookupByName("deskmesh-ct-stranger").getName())
                        .isEqualTo("deskmesh-ct-stranger");
            } finally {
                stranger.undefine();
                stranger.free();
            }
        } finally {
            connect.close();
        }
    }

    @Test
    void theDefinitionSurvivesANewDriverOnTheSameHost() {
        VmSpec spec = spec("restart");
        driver.define(spec);
        driver.start(spec.vmId());
        try (HypervisorDriver second = new LibvirtDriver(config(workDir).build())) {
            assertThat(second.status(spec.vmId())).hasValueSatisfying(s -> {
                assertThat(s.state()).isEqualTo(VmPowerState.RUNNING);
                assertThat(s.mac()).isEqualTo(spec.mac());
            });
            assertThat(second.define(spec).spec()).isEqualTo(spec);
        }
    }

    @Test
    void consolePortsAreUniquePerVmWithinTheRange() {
        VmSpec a = spec("port-a");
        VmSpec b = spec("port-b");
        driver.define(a);
        driver.define(b);
        driver.start(a.vmId());
        driver.start(b.vmId());
        int portA = driver.console(a.vmId()).orElseThrow().port();
        int portB = driver.console(b.vmId()).orElseThrow().port();
        assertThat(portA).isBetween(15_900, 15_999).isNotEqualTo(portB);
        assertThat(portB).isBetween(15_900, 15_999);
    }
}
