package io.deskmesh.hypervisor.libvirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.deskmesh.hypervisor.ConsoleAddress;
import io.deskmesh.hypervisor.ConsoleProtocol;
import io.deskmesh.hypervisor.MacAllocator;
import io.deskmesh.hypervisor.VmSpec;
import io.deskmesh.hypervisor.libvirt.LibvirtConfig.DomainType;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DomainXmlTest {
    private static final Path BASE = Path.of("/images/win11/3/base.qcow2");

    private static VmSpec spec(String id, String name, ConsoleProtocol console, Path diskDirectory) {
        return new VmSpec(id, name, 2, 2048, BASE, diskDirectory, MacAllocator.DESKMESH.preferred(id), "default",
                console);
    }

    private static DomainDefinition definition(VmSpec spec, Optional<String> nic, Optional<Integer> port) {
        return new DomainDefinition("deskmesh-" + spec.vmId(), Optional.of("6f1c1c53-6a43-4b8e-9c59-0f2f3b7b0a11"),
                spec, Path.of("/var/lib/deskmesh/vms/" + spec.vmId() + ".qcow2"),
                Optional.of(Path.of("/var/lib/deskmesh/vms/agent/" + spec.vmId() + ".sock")), nic, port);
    }

    @Test
    void aDefinitionRoundTripsThroughItsXml() {
        DomainDefinition def = definition(spec("vm-1", "Alice's desktop", ConsoleProtocol.VNC, Path.of("/users/alice")),
                Optional.of("default"), Optional.of(5_905));
        assertThat(DomainXml.parse(DomainXml.render(def, DomainType.QEMU))).contains(def);
    }

    @Test
    void namesWithMarkupQuotesAndNewlinesSurviveTheMetadata() {
        VmSpec spec = spec("vm-2", "<b>&'quoted' \"twice\"\nsecond line\tand tab", ConsoleProtocol.SPICE, null);
        DomainDefinition def = definition(spec, Optional.empty(), Optional.empty());
        String xml = DomainXml.render(def, DomainType.KVM);
        assertThat(DomainXml.parse(xml)).contains(def);
        assertThat(xml).contains("<title>&lt;b&gt;&amp;&apos;quoted&apos; &quot;twice&quot; second line&#9;and tab</title>");
    }

    @Test
    void theXmlCarriesTheResourcesDevicesAndDomainType() {
        DomainDefinition def = definition(spec("vm-3", "three", ConsoleProtocol.VNC, null), Optional.of("lan"),
                Optional.empty());
        String xml = DomainXml.render(def, DomainType.QEMU);
        assertThat(xml).startsWith("<domain type='qemu'>")
                .contains("<memory unit='MiB'>2048</memory>", "<vcpu>2</vcpu>",
                        "<source file='/var/lib/deskmesh/vms/vm-3.qcow2'/>", "<driver name='qemu' type='qcow2'/>",
                        "<mac address='" + def.spec().mac() + "'/>", "<source network='lan'/>",
                        "<graphics type='vnc' autoport='yes' listen='127.0.0.1'>",
                        "<source mode='bind' path='/var/lib/deskmesh/vms/agent/vm-3.sock'/>",
                        "<target type='virtio' name='" + DomainXml.AGENT_CHANNEL + "'/>", "<acpi/>");
        assertThat(DomainXml.render(def, DomainType.KVM)).startsWith("<domain type='kvm'>");
    }

    @Test
    void aVmWithoutANicNetworkHasNoInterface() {
        DomainDefinition def = definition(spec("vm-4", "four", ConsoleProtocol.SPICE, null), Optional.empty(),
                Optional.of(5_999));
        String xml = DomainXml.render(def, DomainType.QEMU);
        assertThat(xml).doesNotContain("<interface").contains("<graphics type='spice' port='5999' autoport='no'");
    }

    @Test
    void theConsoleComesFromTheLiveGraphicsPort() {
        String live = "<domain type='qemu' id='3'><name>deskmesh-vm</name><devices>"
                + "<graphics type='vnc' port='5903' autoport='yes' listen='127.0.0.1'>"
                + "<listen type='address' address='127.0.0.1'/></graphics></devices></domain>";
        assertThat(DomainXml.console(live)).contains(new ConsoleAddress(ConsoleProtocol.VNC, "127.0.0.1", 5_903));
        String spice = live.replace("type='vnc'", "type='spice'");
        assertThat(DomainXml.console(spice)).contains(new ConsoleAddress(ConsoleProtocol.SPICE, "127.0.0.1", 5_903));
    }

    @Test
    void aConsoleWithoutAnAllocatedPortIsAbsent() {
        String notYet = "<domain><name>x</name><devices><graphics type='vnc' port='-1' autoport='yes'/></devices></domain>";
        assertThat(DomainXml.console(notYet)).isEmpty();
        assertThat(DomainXml.console("<domain><name>x</name><devices/></domain>")).isEmpty();
    }

    @Test
    void aDomainWithoutDeskMeshMetadataIsNotOurs() {
        assertThat(DomainXml.parse("<domain type='kvm'><name>deskmesh-mail</name><devices/></domain>")).isEmpty();
    }

    @Test
    void damagedMetadataIsReportedWithTheDomainName() {
        String xml = "<domain><name>deskmesh-bad</name><metadata><dm:vm xmlns:dm='" + DomainXml.NAMESPACE
                + "' id='bad' name='bad' cpus='many'/></metadata><devices/></domain>";
        assertThatThrownBy(() -> DomainXml.parse(xml))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("deskmesh-bad");
    }

    @Test
    void theAgentSocketIsReadFromTheChannel() {
        DomainDefinition def = definition(spec("vm-5", "five", ConsoleProtocol.VNC, null), Optional.empty(),
                Optional.empty());
        assertThat(DomainXml.agentSocket(DomainXml.render(def, DomainType.QEMU))).isEqualTo(def.agentSocket());
    }
}
